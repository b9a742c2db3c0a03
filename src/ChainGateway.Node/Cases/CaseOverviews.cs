using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Cases;

/// <summary>
/// The case overview of one subject (LocalService.GetCaseOverview): the subject's pairwise pseudonym is computed for
/// every organisation of the trust list (this one included, for its own reminders), every pseudonym key listed for it
/// and every pseudonym key this node holds, so facts exchanged under an older key of either side are found too; the
/// facts those pseudonyms name are read in one pass and assembled. The identifier itself is never stored or looked up.
/// </summary>
public sealed class CaseOverviews(NodeContext node, INodeStore store)
{
    public async Task<CaseOverview> GetAsync(SubjectRef? subject, CancellationToken cancellationToken)
    {
        var id = subject?.IdCase switch
        {
            SubjectRef.IdOneofCase.Bsn => SubjectId.Bsn(subject.Bsn, "subject.bsn"),
            SubjectRef.IdOneofCase.LocalId => SubjectId.Local(subject.LocalId, "subject.local_id"),
            _ => throw new ChainGatewayException(ReasonCode.Malformed, "give the subject as bsn or local_id", "subject"),
        };
        var pseudonyms = new List<(string Partner, byte[] Pseudonym)>();
        foreach (var own in node.PseudonymKeys.All)
        {
            foreach (var partner in node.TrustList.Partners)
            {
                foreach (var key in partner.PseudonymKeys)
                {
                    pseudonyms.Add((partner.Id, own.Pseudonym(partner.Id, key.Key, id)));
                }
            }
        }
        var now = node.Time.GetUtcNow();
        // Only facts still within their rule's retention: the purge that deletes the others runs at an interval (an hour by
        // default), and until it has run they must not be shown any more than after.
        var facts = (await store.GetCaseFactsAsync(pseudonyms, cancellationToken).ConfigureAwait(false)).Where(f => f.RetainUntil > now).ToList();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return new CaseOverviewAssembler(node.Organisation, today).Build(facts,
            (partner, pseudonym) => pseudonyms.Any(p => p.Partner == partner && pseudonym.Span.SequenceEqual(p.Pseudonym)));
    }
}
