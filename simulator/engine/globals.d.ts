/**
 * structuredClone is part of every runtime the simulator targets (browsers, Node ≥ 17, workers)
 * but belongs to the DOM and Node type libraries, which the core deliberately leaves out.
 */
declare function structuredClone<T>(value: T): T;
