using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// HPKE's key derivation (RFC 9180 §4 labeled HKDF, §4.1 ExtractAndExpand, §5.1 KeySchedule for mode_base): from the
/// X25519 output to the AEAD key and base nonce. Every intermediate secret lives in a stack buffer zeroed before return.
/// </summary>
public static partial class Hpke
{
    // §4.1 Encap/Decap then §5.1 KeySchedule: from the DH output to the AEAD key and base nonce.
    private static void Derive(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> pkR, ReadOnlySpan<byte> info,
        Span<byte> key, Span<byte> baseNonce, Span<byte> exporterSecret)
    {
        Span<byte> sharedSecret = stackalloc byte[SecretSize];
        try
        {
            ExtractAndExpand(dh, enc, pkR, sharedSecret);
            KeySchedule(sharedSecret, info, key, baseNonce, exporterSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    // §4.1 shared_secret = ExtractAndExpand(dh, kem_context), with kem_context = enc || pkRm.
    private static void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> pkR, Span<byte> sharedSecret)
    {
        Span<byte> prk = stackalloc byte[SecretSize];
        Span<byte> kemContext = stackalloc byte[2 * EncapsulatedKeySize];
        try
        {
            enc.CopyTo(kemContext);
            pkR.CopyTo(kemContext[EncapsulatedKeySize..]);
            LabeledExtract(KemSuiteId, [], "eae_prk"u8, dh, prk);
            LabeledExpand(KemSuiteId, prk, "shared_secret"u8, kemContext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    // §5.1 KeySchedule<ROLE>(mode_base, shared_secret, info, default_psk = "", default_psk_id = "").
    private static void KeySchedule(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info, Span<byte> key, Span<byte> baseNonce,
        Span<byte> exporterSecret)
    {
        var context = ScheduleContext.For(info);
        Span<byte> secret = stackalloc byte[SecretSize];
        try
        {
            LabeledExtract(HpkeSuiteId, sharedSecret, "secret"u8, [], secret);
            LabeledExpand(HpkeSuiteId, secret, "key"u8, context, key);
            LabeledExpand(HpkeSuiteId, secret, "base_nonce"u8, context, baseNonce);
            if (!exporterSecret.IsEmpty)
            {
                LabeledExpand(HpkeSuiteId, secret, "exp"u8, context, exporterSecret);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// §5.1 key_schedule_context = mode || LabeledExtract("", "psk_id_hash", psk_id) || LabeledExtract("", "info_hash", info):
    /// public, and fixed by the mode (base, empty psk_id) and info, so the last one is kept. Envelopes all use
    /// one info; a different info is computed and replaces it.
    /// </summary>
    private sealed class ScheduleContext(byte[] info, byte[] context)
    {
        private static ScheduleContext? last;

        private byte[] Info { get; } = info;

        private byte[] Context { get; } = context;

        public static ReadOnlySpan<byte> For(ReadOnlySpan<byte> info)
        {
            var cached = Volatile.Read(ref last);
            if (cached is not null && info.SequenceEqual(cached.Info))
            {
                return cached.Context;
            }
            var computed = new byte[1 + (2 * SecretSize)];
            computed[0] = 0x00; // mode_base
            LabeledExtract(HpkeSuiteId, [], "psk_id_hash"u8, [], computed.AsSpan(1, SecretSize));
            LabeledExtract(HpkeSuiteId, [], "info_hash"u8, info, computed.AsSpan(1 + SecretSize, SecretSize));
            Volatile.Write(ref last, new ScheduleContext(info.ToArray(), computed));
            return computed;
        }
    }

    // §4: LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)
    private static void LabeledExtract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm,
        Span<byte> prk)
    {
        var length = Version.Length + suiteId.Length + label.Length + ikm.Length;
        Span<byte> labeled = length <= 256 ? stackalloc byte[length] : new byte[length];
        try
        {
            Version.CopyTo(labeled);
            suiteId.CopyTo(labeled[Version.Length..]);
            label.CopyTo(labeled[(Version.Length + suiteId.Length)..]);
            ikm.CopyTo(labeled[(Version.Length + suiteId.Length + label.Length)..]);
            HkdfSha256Raw.Extract(salt, labeled, prk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeled);
        }
    }

    // §4: LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
    private static void LabeledExpand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info,
        Span<byte> output)
    {
        var length = 2 + Version.Length + suiteId.Length + label.Length + info.Length;
        Span<byte> labeled = length <= 256 ? stackalloc byte[length] : new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(labeled, (ushort)output.Length);
        Version.CopyTo(labeled[2..]);
        suiteId.CopyTo(labeled[(2 + Version.Length)..]);
        label.CopyTo(labeled[(2 + Version.Length + suiteId.Length)..]);
        info.CopyTo(labeled[(2 + Version.Length + suiteId.Length + label.Length)..]);
        HkdfSha256Raw.Expand(prk, labeled, output);
    }
}
