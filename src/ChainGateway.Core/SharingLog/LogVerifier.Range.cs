// The tree over many checked leaves at once (log verify's signed entries, checked in parallel chunks): one inner-node
// hash per leaf, about a million SHA-256 digests for a million entries, which fed one by one into the frontier are a
// serial tail after the parallel scan. Here the roots of aligned blocks of 2^BlockHeight leaves (RFC 9162 §2.1.1: a
// perfect subtree's root is MTH of its leaves, whatever surrounds it) are computed on every core, then appended to the
// frontier whole; leaf by leaf only before the first aligned block, after the last, and in a block that holds an
// announced checkpoint size (its root is needed at that exact size). The roots are the same as leaf by leaf: tested
// against MerkleTree at every size.
namespace ChainGateway.Core.SharingLog;

public sealed partial class LogVerifier
{
    private const int BlockHeight = 10;
    private const int BlockLeaves = 1 << BlockHeight;
    private const int HashSize = MerkleTree.HashSize;

    /// <summary>
    /// Appends the leaf hashes of the next entries (32 bytes each, in index order), all already checked with
    /// <see cref="CheckEntry"/>; the same as <see cref="AppendChecked"/> for each, computed on all cores.
    /// </summary>
    public void AppendCheckedRange(ReadOnlyMemory<byte> leafHashes)
    {
        if (leafHashes.Length % HashSize != 0)
        {
            throw new ArgumentException($"Leaf hashes are {HashSize} bytes each.", nameof(leafHashes));
        }
        var count = leafHashes.Length / HashSize;
        if (frontier is null)
        {
            for (var i = 0; i < count; i++)
            {
                tree.Append(leafHashes.Span.Slice(i * HashSize, HashSize));
            }
            return;
        }

        // Leaves before the first block boundary, then the whole blocks: their roots on every core.
        var head = (int)Math.Min(count, (BlockLeaves - (frontier.Size % BlockLeaves)) % BlockLeaves);
        var blocks = (count - head) / BlockLeaves;
        var blockRoots = new byte[blocks * HashSize];
        Parallel.For(0, blocks, () => new byte[BlockLeaves * HashSize], (block, _, scratch) =>
        {
            var leaves = leafHashes.Slice((head + (block * BlockLeaves)) * HashSize, BlockLeaves * HashSize);
            SubtreeRoot(leaves.Span, scratch, blockRoots.AsSpan(block * HashSize, HashSize));
            return scratch;
        }, _ => { });

        var next = 0;
        while (next < count)
        {
            var size = frontier.Size;
            if (next >= head && (next - head) % BlockLeaves == 0 && next + BlockLeaves <= count && !AnnouncedBetween(size, size + BlockLeaves))
            {
                frontier.AppendSubtree(blockRoots.AsSpan((next - head) / BlockLeaves * HashSize, HashSize), BlockHeight);
                next += BlockLeaves;
            }
            else
            {
                frontier.Append(leafHashes.Span.Slice(next * HashSize, HashSize));
                next++;
            }
            KeepRootIfAnnounced();
        }
    }

    // Whether a checkpoint size s with from < s < to was announced (the root at s needs the leaves one by one).
    private bool AnnouncedBetween(long from, long to)
    {
        var at = Array.BinarySearch(checkpointSizes, from + 1);
        if (at < 0)
        {
            at = ~at;
        }
        return at < checkpointSizes.Length && checkpointSizes[at] < to;
    }

    // RFC 9162 §2.1.1 MTH of 2^k leaf hashes, bottom up in scratch: node = SHA-256(0x01 || left || right).
    private static void SubtreeRoot(ReadOnlySpan<byte> leaves, Span<byte> scratch, Span<byte> root)
    {
        leaves.CopyTo(scratch);
        for (var width = leaves.Length / HashSize; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++)
            {
                var pair = scratch.Slice(2 * i * HashSize, 2 * HashSize);
                Sha256.Hash(0x01, pair[..HashSize], pair[HashSize..], scratch.Slice(i * HashSize, HashSize));
            }
        }
        scratch[..HashSize].CopyTo(root);
    }
}
