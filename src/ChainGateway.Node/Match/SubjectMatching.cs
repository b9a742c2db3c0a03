using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Match;

/// <summary>
/// What matching needs beside the node context: the pseudonym key ring (every generation during a rotation), the
/// sealer of the subject index, and the partners the agreement lets ask this node or send it signals (the
/// only partners whose pseudonyms the index keeps).
/// </summary>
public sealed class SubjectMatching : IDisposable
{
    public SubjectMatching(NodeContext node, string indexKeyPath)
    {
        ArgumentNullException.ThrowIfNull(node);
        Node = node;
        KeyRing = node.PseudonymKeys;
        Sealer = SubjectSealer.OpenOrCreate(indexKeyPath);
        // Partners that may ask this node, and partners that may send it signals (so received signals link to subjects).
        Askers = node.Agreement.Rules
            .Where(r => r.To.Contains(node.Organisation))
            .SelectMany(r => r.From)
            .Where(p => p != node.Organisation && node.TrustList.TryGet(p, out _))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    public NodeContext Node { get; }

    public PseudonymKeyRing KeyRing { get; }

    public SubjectSealer Sealer { get; }

    /// <summary>Partners a rule lets ask this node or send it signals: the partners whose pseudonyms the index keeps.</summary>
    public IReadOnlyList<string> Askers { get; }

    /// <summary>The pseudonyms to index for a subject: one per asker and generation that is valid or upcoming.</summary>
    public List<IndexedPseudonym> IndexedPseudonyms(SubjectId subject, DateTimeOffset now)
    {
        var result = new List<IndexedPseudonym>();
        foreach (var partner in Askers)
        {
            foreach (var generation in KeyRing.Generations(partner, now, includeUpcoming: true))
            {
                result.Add(new IndexedPseudonym(partner, generation.Id, KeyRing.Pseudonym(generation, subject)));
            }
        }
        return result;
    }

    public void Dispose() => Sealer.Dispose();
}
