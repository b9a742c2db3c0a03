using System.Security.Cryptography;
using NSec.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>
/// Recomputes the sharing log from what is stored (DESIGN.md §7): every entry's canonical bytes and RFC 9162 leaf
/// hash (compared with the stored leaf hash), the Merkle root at every checkpoint's size (compared with the signed
/// root), and every checkpoint's signature. Stops at the first problem and names it.
/// </summary>
/// <param name="origin">The log's origin (and the key name of its signatures).</param>
/// <param name="signingKeys">
/// Every signing key the log may have used: after a key rotation the older checkpoints stay signed with the old key.
/// </param>
public sealed partial class LogVerifier(string origin, IReadOnlyList<PublicKey> signingKeys)
{
    public LogVerifier(string origin, PublicKey signingKey)
        : this(origin, [signingKey])
    {
    }

    private readonly MerkleTree tree = new();
    private readonly List<string> checkpoints = [];

    // With ExpectCheckpoints: only the frontier, and the roots at the announced sizes (millions of entries).
    private MerkleFrontier? frontier;
    private Dictionary<long, byte[]>? roots;
    private long[] checkpointSizes = [];

    public long Entries => frontier?.Size ?? tree.Size;

    /// <summary>
    /// Announces the checkpoints <see cref="CheckCheckpoints"/> will check, before any entry: the verifier then keeps
    /// only the roots at their sizes instead of the whole tree.
    /// </summary>
    public void ExpectCheckpoints(IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        if (Entries > 0)
        {
            throw new InvalidOperationException("Announce the checkpoints before the first entry.");
        }
        frontier = new MerkleFrontier();
        roots = [];
        foreach (var note in notes)
        {
            if (Checkpoint.TryParse(note, out var checkpoint))
            {
                roots.TryAdd(checkpoint.Size, null!);
            }
        }
        if (roots.ContainsKey(0))
        {
            roots[0] = MerkleTree.EmptyRoot.ToArray();
        }
        checkpointSizes = [.. roots.Keys.Order()];
    }

    /// <summary>
    /// Checks one entry given as canonical bytes (null: cannot be encoded) against its stored leaf hash and the index
    /// expected next; writes its leaf hash to <paramref name="leaf"/>. Returns a problem, or null.
    /// </summary>
    public static string? CheckEntry(long index, long expectedIndex, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash, Span<byte> leaf)
    {
        if (index != expectedIndex)
        {
            return $"entry #{expectedIndex}: missing (the next stored entry is #{index})";
        }
        if (entry is null)
        {
            return $"entry #{index}: cannot be encoded (a stored field is not valid: unknown event, bad message id or text)";
        }
        // RFC 9162 §2.1.1: SHA-256(0x00 || entry bytes).
        Sha256.Hash(0x00, entry.EntryBytes, default, leaf);
        if (storedLeafHash.Length != MerkleTree.HashSize || !CryptographicOperations.FixedTimeEquals(leaf[..MerkleTree.HashSize], storedLeafHash))
        {
            return $"entry #{index}: its stored leaf hash does not match its fields (the entry or its hash was changed)";
        }
        return null;
    }

    /// <summary>Appends the leaf hash of the next entry, already checked with <see cref="CheckEntry"/>.</summary>
    public void AppendChecked(ReadOnlySpan<byte> leaf)
    {
        if (frontier is null)
        {
            tree.Append(leaf);
            return;
        }
        frontier.Append(leaf);
        KeepRootIfAnnounced();
    }

    private void KeepRootIfAnnounced()
    {
        if (roots!.ContainsKey(frontier!.Size))
        {
            roots[frontier.Size] = frontier.Root();
        }
    }

    /// <summary>Feeds the next entry (in index order); returns a problem, or null when the entry is sound.</summary>
    public string? Add(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var expectedIndex = Entries + 1;
        if (entry.Index != expectedIndex)
        {
            return $"entry #{expectedIndex}: missing (the next stored entry is #{entry.Index})";
        }
        byte[] leaf;
        try
        {
            leaf = MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry));
        }
        catch (ArgumentException e)
        {
            return $"entry #{entry.Index}: cannot be encoded ({e.Message})";
        }
        if (entry.LeafHash is null || !CryptographicOperations.FixedTimeEquals(leaf, entry.LeafHash))
        {
            return $"entry #{entry.Index}: its stored leaf hash does not match its fields (the entry or its hash was changed)";
        }
        AppendChecked(leaf);
        return null;
    }

    /// <summary>
    /// Feeds the next entry as canonical bytes built from its stored fields (<see cref="LogEntryBytesWriter"/>; null if
    /// they cannot be encoded) with its stored leaf hash; returns a problem, or null when the entry is sound.
    /// </summary>
    public string? Add(long index, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash)
    {
        Span<byte> leaf = stackalloc byte[MerkleTree.HashSize];
        if (CheckEntry(index, Entries + 1, entry, storedLeafHash, leaf) is { } problem)
        {
            return problem;
        }
        AppendChecked(leaf);
        return null;
    }

    /// <summary>Checks every checkpoint against the entries fed so far; returns the first problem, or null.</summary>
    public string? CheckCheckpoints(IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        foreach (var note in notes)
        {
            checkpoints.Add(note);
            var checkpoint = signingKeys.Select(key => Checkpoint.Open(note, origin, key)).FirstOrDefault(c => c is not null);
            if (checkpoint is null)
            {
                var size = Checkpoint.TryParse(note, out var unverified) ? unverified.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
                return $"checkpoint at size {size}: its signature does not verify with any of the node's signing keys, or the note is malformed";
            }
            if (checkpoint.Origin != origin)
            {
                return $"checkpoint at size {checkpoint.Size}: origin '{checkpoint.Origin}' is not '{origin}'";
            }
            if (checkpoint.Size > Entries)
            {
                return $"checkpoint at size {checkpoint.Size}: the log holds only {Entries} entries (entries after #{Entries} were removed)";
            }
            var root = roots is null ? tree.RootAt(checkpoint.Size) : roots.GetValueOrDefault(checkpoint.Size);
            if (root is null)
            {
                throw new InvalidOperationException($"The checkpoint at size {checkpoint.Size} was not announced with ExpectCheckpoints.");
            }
            if (!CryptographicOperations.FixedTimeEquals(root, checkpoint.RootHash))
            {
                return $"checkpoint at size {checkpoint.Size}: the entries #1..#{checkpoint.Size} no longer hash to its signed root (history was rewritten)";
            }
        }
        return null;
    }

    public int Checkpoints => checkpoints.Count;

    /// <summary>
    /// C2SP tlog-cosignature: every stored cosignature must verify, over the text of the checkpoint of its size
    /// (checked above), with a key the trust list lists for its witness (<paramref name="keysOf"/>, empty if
    /// unlisted). Call after <see cref="CheckCheckpoints"/>; returns the first problem, naming the witness, or null.
    /// </summary>
    public string? CheckCosignatures(IEnumerable<StoredCosignature> cosignatures, Func<string, IEnumerable<PublicKey>> keysOf)
    {
        ArgumentNullException.ThrowIfNull(cosignatures);
        ArgumentNullException.ThrowIfNull(keysOf);
        var bodies = new Dictionary<long, string>();
        foreach (var note in checkpoints)
        {
            if (Checkpoint.TryParse(note, out var checkpoint))
            {
                bodies[checkpoint.Size] = SignedNote.Parse(note).Body;
            }
        }
        foreach (var cosignature in cosignatures)
        {
            var where = $"cosignature by '{cosignature.Witness}' of the checkpoint at size {cosignature.Size}";
            if (!bodies.TryGetValue(cosignature.Size, out var body))
            {
                return $"{where}: there is no checkpoint of that size";
            }
            var name = Checkpoint.OriginFor(cosignature.Witness);
            if (Cosignature.NameOf(cosignature.Line) != name)
            {
                return $"{where}: the line names '{Cosignature.NameOf(cosignature.Line)}', not '{name}'";
            }
            if (!keysOf(cosignature.Witness).Any(key => Cosignature.Verify(cosignature.Line, body, name, key) == cosignature.Timestamp))
            {
                return $"{where}: it does not verify with the witness's listed key (or its timestamp was changed)";
            }
        }
        return null;
    }
}
