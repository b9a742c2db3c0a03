using ChainGateway.Contracts.V1;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Match;

/// <summary>A partner's answer names its own contact point: it cannot make another organisation the contact.</summary>
public sealed class MatchAnswerContactTests
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
