using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Node.Match;

/// <summary>A local-API SubjectRef as the subject it names: a BSN (11-check) or a local id, never a pseudonym.</summary>
internal static class SubjectRefs
{
    public static SubjectId ToSubject(SubjectRef? subject, string fieldPath) => subject?.IdCase switch
    {
        SubjectRef.IdOneofCase.Bsn => SubjectId.Bsn(subject.Bsn, fieldPath + ".bsn"),
        SubjectRef.IdOneofCase.LocalId => SubjectId.Local(subject.LocalId, fieldPath + ".local_id"),
        _ => throw new ChainGatewayException(ReasonCode.Malformed, "a subject must be given as bsn or local_id", fieldPath),
    };
}
