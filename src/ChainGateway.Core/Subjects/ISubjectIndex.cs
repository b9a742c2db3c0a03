namespace ChainGateway.Core.Subjects;

/// <summary>
/// The subject index behind matching (DESIGN.md §6): per partner, the pairwise pseudonym of each registered subject,
/// so a match is one index read. Holds no identifier in clear: a keyed hash as handle and the sealed id for rebuilds
/// (<see cref="SubjectSealer"/>). Received signals are linked to a subject when it is known, or when it is
/// registered later. Implemented by ChainGateway.Storage.
/// </summary>
public interface ISubjectIndex
{
    /// <summary>Adds or replaces subjects with their pseudonyms, and links earlier received signals that name them.</summary>
    Task<SubjectRegistrationResult> RegisterSubjectsAsync(IReadOnlyList<IndexedSubject> subjects, CancellationToken cancellationToken);

    /// <summary>Removes subjects, their (active) pseudonyms and links; returns how many were registered.</summary>
    Task<int> RemoveSubjectsAsync(IReadOnlyList<IndexedSubject> subjects, CancellationToken cancellationToken);

    /// <summary>
    /// The subject one of <paramref name="candidates"/> names for <paramref name="partner"/>, if any: a candidate hits only a
    /// pseudonym indexed under the generation (key pair) it names, so a pseudonym of one key pair labelled with another's
    /// keys is no second guess.
    /// </summary>
    Task<SubjectHit?> FindSubjectAsync(string partner, IReadOnlyList<(byte[] Pseudonym, string Generation)> candidates,
        CancellationToken cancellationToken);

    /// <summary>The received signals linked to a subject, oldest first.</summary>
    Task<IReadOnlyList<LinkedInboxSignal>> GetLinkedSignalsAsync(byte[] subjectKey, CancellationToken cancellationToken);

    Task<long> CountSubjectsAsync(CancellationToken cancellationToken);

    /// <summary>Subjects in key order after <paramref name="afterKey"/>: the pages of an index build.</summary>
    Task<IReadOnlyList<SealedSubject>> ReadSubjectsAsync(byte[]? afterKey, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Adds one build page of pseudonyms (and links earlier received signals that name them) and records the build's progress,
    /// in one transaction; a row whose subject was removed since the page was read is left out.
    /// </summary>
    Task AddPseudonymsAsync(string partner, string generation, IReadOnlyList<(byte[] SubjectKey, byte[] Pseudonym)> rows,
        IndexBuildState progress, CancellationToken cancellationToken);

    Task<IReadOnlyList<IndexBuildState>> GetIndexBuildsAsync(CancellationToken cancellationToken);

    /// <summary>Drops a partner's pseudonyms and builds of every generation not in <paramref name="keep"/>; returns rows dropped.</summary>
    Task<int> DropGenerationsAsync(string partner, IReadOnlyCollection<string> keep, CancellationToken cancellationToken);
}

public sealed record IndexedPseudonym(string Partner, string Generation, byte[] Pseudonym);

public sealed record IndexedSubject(byte[] SubjectKey, byte[] SealedId, byte[] Contact, IReadOnlyList<IndexedPseudonym> Pseudonyms,
    DateTimeOffset RegisteredAt);

public sealed record SubjectRegistrationResult(int Registered, int LinkedSignals);

public sealed record SubjectHit(byte[] SubjectKey, byte[] Contact);

public sealed record SealedSubject(byte[] SubjectKey, byte[] SealedId);

public sealed record LinkedInboxSignal(Guid MessageId, string Sender, string SignalType, string Purpose, DateTimeOffset ReceivedAt,
    DateTimeOffset RetainUntil);

/// <summary>How far the index of one (partner, generation) is built.</summary>
public sealed record IndexBuildState(string Partner, string Generation, long Indexed, long Total, bool Complete,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);
