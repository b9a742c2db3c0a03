using System.Buffers.Binary;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Tiles;

/// <summary>
/// C2SP tlog-tiles §Log entries: an entry bundle is the entries of one level-0 tile, each as a big-endian uint16
/// length followed by the entry's bytes; ours are LogEntryEncoding v1 bytes, so each hashes (RFC 9162 §2.1.1)
/// to the matching hash of the level-0 tile. A partner is served only the entries that name it (partner = the reader):
/// every other entry is withheld, as a zero-length entry (no real entry is empty), and its leaf hash is in the level-0
/// hash tile. Served whole, a bundle would show every partner every other pair's exchanges: their message ids, purposes
/// and the pairwise pseudonyms that would let a third partner link a subject across pairs (DESIGN.md §6).
/// </summary>
public static class EntryBundles
{
    /// <summary>The bundle's bytes as <paramref name="reader"/> is served them, or null when the latest checkpoint does not cover it.</summary>
    public static async Task<byte[]?> ReadAsync(TilePath tile, string reader, SharingLogCheckpoints checkpoints, INodeStore store,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tile);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(store);
        if (await checkpoints.LatestAsync(cancellationToken).ConfigureAwait(false) is not { } latest
            || tile.Width > TilePath.WidthAt(0, tile.Index, latest.Size))
        {
            return null;
        }
        // Entry index (1-based) = leaf index + 1.
        var entries = await store.ReadLogAsync((tile.Index * TilePath.FullWidth) + 1, tile.Width, cancellationToken).ConfigureAwait(false);
        if (entries.Count != tile.Width)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (var entry in entries)
        {
            if (entry.Partner != reader)
            {
                // Withheld: a zero length, and nothing after it.
                buffer.Write([0, 0]);
                continue;
            }
            var bytes = LogEntryEncoding.Encode(entry);
            BinaryPrimitives.WriteUInt16BigEndian(length, checked((ushort)bytes.Length));
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Splits a bundle into its entries' bytes (an empty one: withheld from this reader); throws
    /// <see cref="InvalidDataException"/> if it is not exactly <paramref name="width"/> entries.
    /// </summary>
    public static IReadOnlyList<byte[]> Split(ReadOnlySpan<byte> bundle, int width)
    {
        var entries = new List<byte[]>(width);
        while (!bundle.IsEmpty)
        {
            if (bundle.Length < 2)
            {
                throw new InvalidDataException("entry bundle: truncated length");
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle);
            if (bundle.Length < 2 + length)
            {
                throw new InvalidDataException("entry bundle: truncated entry");
            }
            entries.Add(bundle.Slice(2, length).ToArray());
            bundle = bundle[(2 + length)..];
        }
        if (entries.Count != width)
        {
            throw new InvalidDataException($"entry bundle: {entries.Count} entries, expected {width}");
        }
        return entries;
    }
}
