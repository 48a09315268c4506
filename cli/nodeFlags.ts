/**
 * The V8 flags jobhooks runs with: the image's ENTRYPOINT and the bin's #! line carry them, and
 * the tests and benchmarks start processes with them. A semi-space (half of V8's young
 * generation) of at most 4 MiB rather than 16: a burst of work (a list of 10,000 Jobs, a minute
 * of POSTs) grows the young generation to its maximum, and V8 keeps it at that size long after,
 * 24 MiB more resident memory for an idle process. Young collections come more often; the
 * benchmarks measured no slower burst (bench:parity, JOBHOOKS_PARITY_NEW_NODE_ARGS).
 */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
