using ChainGateway.Contracts.V1;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Match;

/// <summary>What the asker takes from a partner's answer: a contact point of the answerer's own, and only a verified answer, logged either way.</summary>
public sealed class MatchAnswerTests
{
    [Fact]
    public async Task AnswerNamingAnotherOrganisationAsTheContact_IsPassedOnAsTheAnswerersOwn()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        await federation.StartAsync("politie");
        await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<ContactRewriter>()));
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(HandBuilt.Bsn));
        using var asker = federation.Client("politie");

        var result = Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(HandBuilt.Bsn), "case-direction", "om")).Results);

        Assert.True(result.Hit);
        // om signed an answer naming veilig-thuis as the contact; politie passes it on as om's.
        Assert.Equal("veilig-thuis", MatchAnswerBody.Parser.ParseFrom(SignedMatchAnswer.Parser.ParseFrom(result.Answer).Body).Contact.Organisation);
        Assert.Equal("om", result.Contact.Organisation);
        Assert.Equal(MatchCalls.Function, result.Contact.Function);
    }

    [Fact]
    public async Task AnswerThatDoesNotVerify_IsRefused_AndTheQuestionIsInTheAskersLogAsInTheAnswerers()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<SignatureBreaker>()));
        using var asker = federation.Client("politie");

        var error = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn(HandBuilt.Bsn), "case-direction", "om"));

        Assert.Equal(Core.Errors.ReasonCode.BadSignature, Errors.ErrorMapping.ReasonOf(error));
        var answered = Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == Core.SharingLog.LogEvent.Matched);
        var asked = Assert.Single(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == Core.SharingLog.LogEvent.Matched);
        Assert.Equal(answered.MessageId, asked.MessageId);
        Assert.Equal(("rejected", "BAD_SIGNATURE"), (asked.Outcome, asked.ReasonCode));
    }

    /// <summary>At om: the signature of every answer it gives has one bit flipped.</summary>
    private sealed class SignatureBreaker : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var response = await continuation(request, context);
            if (response is SignedMatchAnswer answer)
            {
                var signature = answer.Signature.ToByteArray();
                signature[0] ^= 1;
                return (TResponse)(object)new SignedMatchAnswer { Body = answer.Body, Signature = Google.Protobuf.ByteString.CopyFrom(signature) };
            }
            return response;
        }
    }

    /// <summary>At om: its signed answers name veilig-thuis as the contact's organisation (signed again with om's own key).</summary>
    private sealed class ContactRewriter(NodeContext node) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var response = await continuation(request, context);
            if (response is SignedMatchAnswer answer)
            {
                var body = MatchAnswerBody.Parser.ParseFrom(answer.Body);
                if (body.Contact is not null)
                {
                    body.Contact.Organisation = "veilig-thuis";
                    return (TResponse)(object)MatchSignatures.Sign(body, node.Keys.Signing);
                }
            }
            return response;
        }
    }
}
