using ChainGateway.Core.SharingLog;
using FsCheck;
using FsCheck.Fluent;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>Property tests for the note and checkpoint parsers: round trips, and no input makes them throw.</summary>
public sealed class CheckpointPropertyTests
{
    private static readonly Key SigningKey = Key.Create(SignatureAlgorithm.Ed25519);

    [Fact]
    public void Property_SignedCheckpoint_OpensToTheSameOriginSizeAndRoot()
    {
        var roots = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(MerkleTree.HashSize);
        var sizes = Gen.Choose(0, int.MaxValue).Select(i => (long)i * 3);
        var orgIds = Gen.Elements("a", "org-b", "gemeente.example/0363", "ß-org", "x_y");
        var cases = from root in roots from size in sizes from orgId in orgIds select (root, size, orgId);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (root, size, orgId) = c;
            var origin = Checkpoint.OriginFor(orgId);
            var note = Checkpoint.Sign(origin, size, root, origin, SigningKey);
            var opened = Checkpoint.Open(note, origin, SigningKey.PublicKey);
            return opened is not null && opened.Origin == origin && opened.Size == size && opened.RootHash.SequenceEqual(root);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Property_ArbitraryText_NeverThrows_AndNeverVerifies()
    {
        Prop.ForAll<string>(text =>
        {
            var input = text ?? "";
            _ = SignedNote.TryParse(input, out _);
            _ = Checkpoint.TryParse(input, out _);
            return !SignedNote.Verify(input, "chaingateway/org-a", SigningKey.PublicKey);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Property_AnySingleCharacterEdit_OfASignedCheckpoint_FailsToOpen()
    {
        var origin = Checkpoint.OriginFor("org-a");
        var note = Checkpoint.Sign(origin, 42, new MerkleTree().Root(), origin, SigningKey);
        var edits =
            from at in Gen.Choose(0, note.Length - 1)
            from c in Gen.Elements('a', '0', '+', '/', '=', '\n', ' ', '\u2014')
            from kind in Gen.Elements(0, 1, 2)
            select (at, c, kind);
        Prop.ForAll(edits.ToArbitrary(), e =>
        {
            var (at, c, kind) = e;
            var edited = kind switch
            {
                0 => note.Remove(at, 1),
                1 => note.Insert(at, c.ToString()),
                _ => note.Remove(at, 1).Insert(at, c.ToString()),
            };
            return edited == note || Checkpoint.Open(edited, origin, SigningKey.PublicKey) is null;
        }).QuickCheckThrowOnFailure();
    }
}
