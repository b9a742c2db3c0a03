using System.Runtime.InteropServices;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// RFC 7748 X25519 on caller-owned byte buffers: libsodium's <c>crypto_scalarmult_curve25519</c> and
/// <c>crypto_scalarmult_curve25519_base</c>, the very functions NSec's X25519 calls, from the libsodium build NSec
/// ships and initialises. NSec wraps every private key and shared secret in a fresh <c>sodium_malloc</c> region
/// (guard pages, mprotect, mlock; freed with munmap): on our 2-core VM that is ~50 µs of system calls per object
/// against ~14 µs for a base-point multiplication and ~33 µs for an agreement. HPKE's ephemeral key and DH output
/// live for microseconds, so <see cref="Hpke"/> keeps them in stack buffers that it zeroes instead.
/// Sizes: scalars, points and outputs are all 32 bytes; libsodium clamps the scalar itself.
/// </summary>
internal static class X25519Raw
{
    public const int Size = 32;

    // Loading NSec's X25519 runs sodium_init (and NSec's version check) before the first call below.
    private static readonly NSec.Cryptography.KeyAgreementAlgorithm Initialised = NSec.Cryptography.KeyAgreementAlgorithm.X25519;

    /// <summary>publicKey = X25519(scalar, 9).</summary>
    public static void PublicKeyOf(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        Check(scalar, publicKey);
        GC.KeepAlive(Initialised);
        if (crypto_scalarmult_curve25519_base(ref MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(scalar)) != 0)
        {
            throw new System.Security.Cryptography.CryptographicException("X25519 base-point multiplication failed");
        }
    }

    /// <summary>
    /// shared = X25519(scalar, point); false when libsodium refuses the point (small order, all-zero output), as
    /// NSec's <c>Agree</c> returns null. <paramref name="shared"/> is zeroed then.
    /// </summary>
    public static bool Agree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> shared)
    {
        Check(scalar, shared);
        if (point.Length != Size)
        {
            throw new ArgumentException($"an X25519 public key is {Size} bytes", nameof(point));
        }
        GC.KeepAlive(Initialised);
        if (crypto_scalarmult_curve25519(ref MemoryMarshal.GetReference(shared), in MemoryMarshal.GetReference(scalar),
            in MemoryMarshal.GetReference(point)) != 0)
        {
            shared.Clear();
            return false;
        }
        return true;
    }

    private static void Check(ReadOnlySpan<byte> scalar, Span<byte> output)
    {
        if (scalar.Length != Size || output.Length != Size)
        {
            throw new ArgumentException($"X25519 scalars and outputs are {Size} bytes");
        }
    }

    // Blittable signatures (byrefs to bytes, int result): no marshalling stub, so DllImport rather than a
    // LibraryImport that would need AllowUnsafeBlocks for the whole of Core.
    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
    private static extern int crypto_scalarmult_curve25519(ref byte q, in byte n, in byte p);

    [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
    private static extern int crypto_scalarmult_curve25519_base(ref byte q, in byte n);
}
