using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Security;

/// <summary>A known caller: its name and the circles it may use.</summary>
public sealed record Caller(string Name, IReadOnlySet<string> Circles)
{
    public bool MayUse(string circle) => Circles.Contains("*") || Circles.Contains(circle);
}

/// <summary>
/// The configured keys, kept only as SHA-256 hashes. A presented key is hashed and compared
/// with every configured hash in constant time, so neither the comparison nor the position of
/// the match tells anything about the keys.
/// </summary>
public sealed class ApiKeys
{
    private readonly (byte[] Hash, Caller Caller)[] _keys;

    public ApiKeys(IOptions<AuthOptions> options)
    {
        _keys = options.Value.ApiKeys.Select(k => (
            k.KeySha256 is { Length: > 0 } hex ? Convert.FromHexString(hex) : SHA256.HashData(Encoding.UTF8.GetBytes(k.Key!)),
            new Caller(k.Name, k.Circles.ToHashSet(StringComparer.Ordinal)))).ToArray();
    }

    /// <summary>True when no key is configured: the API is open.</summary>
    public bool Open => _keys.Length == 0;

    public Caller? Find(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        Caller? found = null;
        foreach (var (known, caller) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known))
                found = caller;
        }
        return found;
    }
}
