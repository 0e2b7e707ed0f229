using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Security;

/// <summary>A configured key's owner: its name and the circles it may use.</summary>
public sealed record KeyOwner(string Name, IReadOnlyList<string> Circles);

/// <summary>
/// The configured keys, kept only as SHA-256 hashes. A presented key is hashed and compared
/// with every configured hash in constant time, so neither the comparison nor the position of
/// the match tells anything about the keys.
/// </summary>
public sealed class ApiKeys
{
    private readonly (byte[] Hash, KeyOwner Owner)[] _keys;

    public ApiKeys(IOptions<AuthOptions> options)
    {
        _keys = options.Value.ApiKeys.Select(k => (
            k.KeySha256 is { Length: > 0 } hex ? Convert.FromHexString(hex) : SHA256.HashData(Encoding.UTF8.GetBytes(k.Key!)),
            new KeyOwner(k.Name, k.Circles.ToArray()))).ToArray();
    }

    public bool Any => _keys.Length > 0;

    public KeyOwner? Find(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        KeyOwner? found = null;
        foreach (var (known, owner) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known))
                found = owner;
        }
        return found;
    }
}
