using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Node.Match;

/// <summary>
/// The local API's side of the subject index: the organisation's systems register and remove subjects (BSN or local
/// id) with their contact point here; the node keeps only per-partner pseudonyms, a keyed hash and a sealed id
/// (<see cref="SubjectSealer"/>), and links received signals to registered subjects.
/// </summary>
public sealed class SubjectRegistry(SubjectMatching matching, ISubjectIndex index)
{
    public const int MaxPerCall = 10_000;

    public async Task<RegisterSubjectsResponse> RegisterAsync(RegisterSubjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckCount(request.Subjects.Count, "subjects");
        var now = matching.Node.Time.GetUtcNow();
        var subjects = new List<IndexedSubject>(request.Subjects.Count);
        for (var i = 0; i < request.Subjects.Count; i++)
        {
            var registration = request.Subjects[i];
            var subject = SubjectRefs.ToSubject(registration.Subject, $"subjects[{i}].subject");
            var contact = ContactPoints.Validate(registration.Contact, matching.Node.Organisation, $"subjects[{i}].contact");
            var key = matching.Sealer.KeyOf(subject);
            subjects.Add(new IndexedSubject(key, matching.Sealer.Seal(subject, key), contact.ToByteArray(), matching.IndexedPseudonyms(subject, now), now));
        }
        var result = await index.RegisterSubjectsAsync(subjects, cancellationToken).ConfigureAwait(false);
        return new RegisterSubjectsResponse { Registered = (uint)result.Registered, LinkedSignals = (uint)result.LinkedSignals };
    }

    public async Task<RemoveSubjectsResponse> RemoveAsync(RemoveSubjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckCount(request.Subjects.Count, "subjects");
        var now = matching.Node.Time.GetUtcNow();
        var subjects = request.Subjects.Select((s, i) => SubjectRefs.ToSubject(s, $"subjects[{i}]"))
            .Select(s => new IndexedSubject(matching.Sealer.KeyOf(s), [], [], matching.IndexedPseudonyms(s, now), now))
            .ToList();
        var removed = await index.RemoveSubjectsAsync(subjects, cancellationToken).ConfigureAwait(false);
        return new RemoveSubjectsResponse { Removed = (uint)removed };
    }

    public async Task<SubjectSignalsResponse> LinkedSignalsAsync(SubjectSignalsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = matching.Sealer.KeyOf(SubjectRefs.ToSubject(request.Subject, "subject"));
        var rows = await index.GetLinkedSignalsAsync(key, cancellationToken).ConfigureAwait(false);
        // A signal whose retention ended is not shown, also before the next purge deletes its links.
        var now = matching.Node.Time.GetUtcNow();
        var response = new SubjectSignalsResponse();
        response.Signals.AddRange(rows.Where(r => r.RetainUntil > now).Select(r => new LinkedSignal
        {
            MessageId = r.MessageId.ToString(),
            Sender = r.Sender,
            SignalType = r.SignalType,
            Purpose = r.Purpose,
            ReceivedAt = Timestamp.FromDateTimeOffset(r.ReceivedAt),
        }));
        return response;
    }

    private static void CheckCount(int count, string field)
    {
        if (count is 0 or > MaxPerCall)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"name 1 to {MaxPerCall} subjects per call", field);
        }
    }
}
