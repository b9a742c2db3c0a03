using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using Google.Protobuf;
using NSec.Cryptography;

namespace ChainGateway.Core.Subjects;

/// <summary>
/// Ed25519 (RFC 8032) signatures of the match exchange (DESIGN.md §6), in the style of receipts (§4):
/// query:  "chaingateway/v1/match-query"  || 0x00 || body;
/// answer: "chaingateway/v1/match-answer" || 0x00 || body.
/// Bodies travel as the exact bytes that were signed; the context strings keep the signature domains apart.
/// </summary>
public static class MatchSignatures
{
    private static readonly byte[] QueryContext = "chaingateway/v1/match-query\0"u8.ToArray();
    private static readonly byte[] AnswerContext = "chaingateway/v1/match-answer\0"u8.ToArray();

    public static SignedMatchQuery Sign(MatchQueryBody body, Key signingKey)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = body.ToByteArray();
        return new SignedMatchQuery
        {
            Body = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom(SignatureAlgorithm.Ed25519.Sign(signingKey, Input(QueryContext, bytes))),
        };
    }

    public static SignedMatchAnswer Sign(MatchAnswerBody body, Key signingKey)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = body.ToByteArray();
        return new SignedMatchAnswer
        {
            Body = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom(SignatureAlgorithm.Ed25519.Sign(signingKey, Input(AnswerContext, bytes))),
        };
    }

    /// <summary>SHA-256 of the query's signature input: what the answer is bound to.</summary>
    public static byte[] QueryHash(SignedMatchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SHA256.HashData(Input(QueryContext, query.Body.Span));
    }

    /// <summary>The body when the signature verifies with <paramref name="askerKey"/>; otherwise null.</summary>
    public static MatchQueryBody? Verify(SignedMatchQuery query, PublicKey askerKey)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SignatureAlgorithm.Ed25519.Verify(askerKey, Input(QueryContext, query.Body.Span), query.Signature.Span)
            ? TryParse(MatchQueryBody.Parser, query.Body)
            : null;
    }

    /// <summary>The body when the signature verifies with <paramref name="answererKey"/>; otherwise null.</summary>
    public static MatchAnswerBody? Verify(SignedMatchAnswer answer, PublicKey answererKey)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return SignatureAlgorithm.Ed25519.Verify(answererKey, Input(AnswerContext, answer.Body.Span), answer.Signature.Span)
            ? TryParse(MatchAnswerBody.Parser, answer.Body)
            : null;
    }

    /// <summary>
    /// The body, parsed but NOT verified: its signing key id tells the verifier which listed key to check
    /// <see cref="VerifySignature"/> with; nothing else in it may be used before that check passes. Null when it does not parse.
    /// </summary>
    public static MatchQueryBody? ParseUnverified(SignedMatchQuery query) =>
        query is null ? null : TryParse(MatchQueryBody.Parser, query.Body);

    /// <summary>True when the query's signature verifies with <paramref name="askerKey"/>.</summary>
    public static bool VerifySignature(SignedMatchQuery query, PublicKey askerKey)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SignatureAlgorithm.Ed25519.Verify(askerKey, Input(QueryContext, query.Body.Span), query.Signature.Span);
    }

    private static T? TryParse<T>(MessageParser<T> parser, ByteString bytes) where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static byte[] Input(byte[] context, ReadOnlySpan<byte> body)
    {
        var buffer = new byte[context.Length + body.Length];
        context.CopyTo(buffer, 0);
        body.CopyTo(buffer.AsSpan(context.Length));
        return buffer;
    }
}
