// End-to-end tests start real processes and measure time-bounded behaviour (kills, benchmarks): one at a time,
// so that on a 2-core machine they do not starve each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
