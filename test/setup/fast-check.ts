/**
 * Property tests explore new random cases on every local run (that is how they find bugs). With
 * FC_SEED set (CI does) they replay one fixed sequence instead, so a gate never fails on a case nobody
 * changed code for; a failure prints its seed and path either way.
 */
import fc from "fast-check";

const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== "") fc.configureGlobal({ seed: Number(seed) });
