namespace ChainGateway.Core.Delivery;

/// <summary>
/// Which of a partner's queued envelopes a reader of the outbox wants (DESIGN.md §8: priority signals overtake): a
/// partner's delivery runs an urgent lane beside the routine one, so an urgent envelope never waits for a routine wave.
/// </summary>
public enum OutboxLane
{
    /// <summary>Every envelope, urgent first.</summary>
    All = 0,

    /// <summary>Only envelopes of priority urgent.</summary>
    Urgent = 1,

    /// <summary>Only envelopes below priority urgent (routine, or unspecified).</summary>
    Routine = 2,
}
