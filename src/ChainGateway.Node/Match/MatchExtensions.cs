using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Match;

/// <summary>Wires subject matching into the node's services.</summary>
public static class MatchExtensions
{
    /// <summary>The node index key file (owner-only, beside the store) that seals the subject index's rows.</summary>
    public const string IndexKeyFile = "subject-index.key";

    public static IServiceCollection AddSubjectMatching(this IServiceCollection services, string dataDirectory, ISubjectIndex index)
    {
        services.AddSingleton(sp => new SubjectMatching(sp.GetRequiredService<NodeContext>(), Path.Combine(dataDirectory, IndexKeyFile)));
        services.AddSingleton(index);
        services.AddSingleton<SubjectRegistry>();
        services.AddSingleton<MatchAsker>();
        services.AddSingleton<MatchAnswerer>();
        services.AddSingleton<MatchIndexBuilder>();
        services.AddHostedService(sp => sp.GetRequiredService<MatchIndexBuilder>());
        return services;
    }
}
