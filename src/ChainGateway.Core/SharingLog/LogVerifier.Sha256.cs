// SHA-256 for log verify, which hashes every entry (~370 bytes) and every inner node of the tree (65 bytes): about two
// million digests per million entries. .NET's SHA256.HashData costs 0.6-1.0 µs per entry-sized digest on Linux (it
// sets up an OpenSSL digest context each call); OpenSSL's EVP digest with the algorithm fetched once and one context
// per thread, re-initialised per digest, costs 0.24 µs (SHA-NI). Measured on this project's 2-core machine, 1,000,000
// digests of 310 bytes on one thread: HashData 0.59-0.97 CPU s, IncrementalHash 0.51-0.69, libsodium
// crypto_hash_sha256 0.92-0.97 (no SHA-NI), EVP as below 0.23-0.24.
// Where OpenSSL 3's libcrypto.so.3 cannot be loaded (other platforms), or it fails a known-answer check at start, each
// thread uses a reused IncrementalHash instead. Either way the digest is SHA-256 (FIPS 180-4).
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ChainGateway.Core.SharingLog;

public sealed partial class LogVerifier
{
    /// <summary>SHA-256 of a one-byte prefix and two parts (RFC 9162 §2.1.1 leaves and nodes); thread-safe, no allocation per call.</summary>
    internal static class Sha256
    {
        // The FIPS 180-4 digest of "abc".
        private static readonly byte[] Abc = Convert.FromHexString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        private static readonly nint Algorithm = FetchAlgorithm();

        [ThreadStatic]
        private static Context? context;

        /// <summary>Whether OpenSSL's EVP digest is in use (false: IncrementalHash).</summary>
        public static bool UsesOpenSsl => Algorithm != 0;

        /// <summary>destination = SHA-256(prefix || first || second); destination may overlap the inputs.</summary>
        public static void Hash(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
        {
            if (destination.Length < MerkleTree.HashSize)
            {
                throw new ArgumentException($"A SHA-256 digest is {MerkleTree.HashSize} bytes.", nameof(destination));
            }
            (context ??= new Context()).Hash(prefix, first, second, destination);
        }

        private static nint FetchAlgorithm()
        {
            if (!OperatingSystem.IsLinux())
            {
                return 0;
            }
            try
            {
                var algorithm = EVP_MD_fetch(0, in MemoryMarshal.GetReference("SHA256\0"u8), 0);
                if (algorithm == 0)
                {
                    return 0;
                }
                // Known answer before any use; a libcrypto that disagrees is not used.
                Span<byte> digest = stackalloc byte[MerkleTree.HashSize];
                var ctx = EVP_MD_CTX_new();
                try
                {
                    var ok = ctx != 0 && EvpHash(ctx, algorithm, (byte)'a', "b"u8, "c"u8, digest);
                    return ok && digest.SequenceEqual(Abc) ? algorithm : 0;
                }
                finally
                {
                    EVP_MD_CTX_free(ctx);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return 0;
            }
        }

        private static bool EvpHash(nint ctx, nint algorithm, byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination) =>
            EVP_DigestInit_ex2(ctx, algorithm, 0) == 1
            && EVP_DigestUpdate(ctx, in prefix, 1) == 1
            && EVP_DigestUpdate(ctx, in MemoryMarshal.GetReference(first), (nuint)first.Length) == 1
            && EVP_DigestUpdate(ctx, in MemoryMarshal.GetReference(second), (nuint)second.Length) == 1
            && EVP_DigestFinal_ex(ctx, ref MemoryMarshal.GetReference(destination), 0) == 1;

        // One per thread: an EVP_MD_CTX (freed with the thread's context object) or the fallback.
        private sealed class Context
        {
            private readonly ContextHandle? evp = UsesOpenSsl ? new ContextHandle() : null;
            private readonly IncrementalHash? fallback = UsesOpenSsl ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

            public void Hash(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            {
                if (evp is not null)
                {
                    if (!EvpHash(evp.DangerousGetHandle(), Algorithm, prefix, first, second, destination))
                    {
                        throw new CryptographicException("OpenSSL's SHA-256 digest failed.");
                    }
                    return;
                }
                fallback!.AppendData([prefix]);
                fallback.AppendData(first);
                fallback.AppendData(second);
                fallback.GetHashAndReset(destination);
            }
        }

        private sealed class ContextHandle : SafeHandle
        {
            public ContextHandle()
                : base(0, ownsHandle: true)
            {
                SetHandle(EVP_MD_CTX_new());
                if (IsInvalid)
                {
                    throw new CryptographicException("OpenSSL could not allocate a digest context.");
                }
            }

            public override bool IsInvalid => handle == 0;

            protected override bool ReleaseHandle()
            {
                EVP_MD_CTX_free(handle);
                return true;
            }
        }

        private const string LibCrypto = "libcrypto.so.3";

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern nint EVP_MD_fetch(nint libraryContext, in byte algorithm, nint properties);

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern nint EVP_MD_CTX_new();

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern void EVP_MD_CTX_free(nint ctx);

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EVP_DigestInit_ex2(nint ctx, nint algorithm, nint parameters);

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EVP_DigestUpdate(nint ctx, in byte data, nuint length);

        [DllImport(LibCrypto, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int EVP_DigestFinal_ex(nint ctx, ref byte digest, nint length);
    }
}
