// C2SP tlog-tiles (c2sp.org/tlog-tiles) §Merkle Tree, §Log entries: the resource paths of a tiled log.
//
//   <prefix>/tile/<L>/<N>[.p/<W>]        hash tile: level L (0..63), index N, partial width W (1..255)
//   <prefix>/tile/entries/<N>[.p/<W>]    entry bundle: the level-0 tile's entries
//
// N is written in zero-padded 3-digit path elements, all but the last prefixed with 'x' (1234067 → x001/x234/067).
// No leading zeroes on L or W. Parsing is strict: one spelling per tile, so one resource has one path, and a
// tile no tree of ours (at most long.MaxValue leaves) can have is no path at all: L ≤ 7, N·256 within a long.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ChainGateway.Core.SharingLog;

/// <summary>A tile or entry-bundle coordinate of C2SP tlog-tiles.</summary>
/// <param name="Level">The tile level (0..63 in the spec, 0..<see cref="MaxLevel"/> in our trees); 0 for entry bundles.</param>
/// <param name="Index">The tile index N within the level.</param>
/// <param name="Width">1..256; 256 is a full tile.</param>
/// <param name="IsEntries">An entry bundle (<c>tile/entries/…</c>) rather than a hash tile.</param>
public sealed record TilePath(int Level, long Index, int Width, bool IsEntries)
{
    /// <summary>tlog-tiles: tiles are 8 levels high, 256 hashes wide.</summary>
    public const int Height = 8;

    /// <summary>The number of hashes (or entries) in a full tile.</summary>
    public const int FullWidth = 1 << Height;

    /// <summary>
    /// The highest level a tile of our trees can have. The spec allows levels up to 63 (for uint64 sizes), but a
    /// tree here has at most long.MaxValue (&lt; 2^63) leaves: a level-7 tile holds hashes at tree level 56, of
    /// which there are at most 127; level 8 would need 2^64 leaves.
    /// </summary>
    public const int MaxLevel = 7;

    public bool IsPartial => Width < FullWidth;

    /// <summary>The path below the prefix, e.g. <c>tile/0/x001/x234/067.p/8</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("tile/");
        builder.Append(IsEntries ? "entries" : Level.ToString(CultureInfo.InvariantCulture)).Append('/');
        var groups = new List<string>();
        var n = Index;
        do
        {
            groups.Add((n % 1000).ToString("000", CultureInfo.InvariantCulture));
            n /= 1000;
        }
        while (n > 0);
        groups.Reverse();
        builder.AppendJoin('/', groups.Select((g, i) => i < groups.Count - 1 ? "x" + g : g));
        if (IsPartial)
        {
            builder.Append(".p/").Append(Width.ToString(CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>Parses the part after <c>tile/</c>; false for any other spelling than the canonical one.</summary>
    public static bool TryParse(string path, [NotNullWhen(true)] out TilePath? tile)
    {
        ArgumentNullException.ThrowIfNull(path);
        tile = null;
        var parts = path.Split('/');
        if (parts.Length < 2)
        {
            return false;
        }
        var width = FullWidth;
        // ".p/<W>": the last element is W, the one before ends in ".p".
        if (parts.Length >= 3 && parts[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryDecimal(parts[^1], 255, out var w) || w < 1)
            {
                return false;
            }
            width = (int)w;
            parts[^2] = parts[^2][..^2];
            parts = parts[..^1];
        }
        var isEntries = parts[0] == "entries";
        long level = 0;
        if (!isEntries && !TryDecimal(parts[0], MaxLevel, out level))
        {
            return false;
        }
        long index = 0;
        var elements = parts[1..];
        if (elements.Length > 6)
        {
            return false;
        }
        for (var i = 0; i < elements.Length; i++)
        {
            var element = elements[i];
            var last = i == elements.Length - 1;
            if (!last)
            {
                if (!element.StartsWith('x'))
                {
                    return false;
                }
                element = element[1..];
            }
            if (element.Length != 3 || !element.All(char.IsAsciiDigit))
            {
                return false;
            }
            index = checked((index * 1000) + int.Parse(element, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        // Canonical: no leading "x000/" group.
        if (elements.Length > 1 && elements[0] == "x000")
        {
            return false;
        }
        // A tile no tree of ours can have (its first hash would be past long.MaxValue leaves) is no resource at all.
        if (index > MaxIndex((int)level))
        {
            return false;
        }
        tile = new TilePath((int)level, index, width, isEntries);
        return true;
    }

    /// <summary>
    /// tlog-tiles §Partial Tiles: the width of tile (level, index) in a tree of <paramref name="treeSize"/> leaves; 0 if it is empty.
    /// A level or index beyond any tree of ours is empty (a shift of 64 or more would wrap, index·256 would overflow,
    /// and both once made a far-off tile look full).
    /// </summary>
    public static int WidthAt(int level, long index, long treeSize)
    {
        if (level is < 0 or > MaxLevel || index < 0 || index > MaxIndex(level) || treeSize <= 0)
        {
            return 0;
        }
        var hashesAtLevel = treeSize >> (Height * level);
        var remaining = hashesAtLevel - checked(index * FullWidth);
        return remaining <= 0 ? 0 : (int)Math.Min(FullWidth, remaining);
    }

    /// <summary>The largest index a level-<paramref name="level"/> (0..7) tile of a tree of at most long.MaxValue leaves can have (two shifts: one of 64 would be one of 0).</summary>
    private static long MaxIndex(int level) => (long.MaxValue >> (Height * level)) >> Height;

    private static bool TryDecimal(string text, long max, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 3 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= max;
    }
}
