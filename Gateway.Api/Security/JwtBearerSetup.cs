using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Gateway.Api.Security;

/// <summary>
/// Scheme <c>Bearer</c> from <c>Gateway:Auth:Jwt</c>: issuer, audience, lifetime and signature
/// checked by the framework; then <c>sub</c> becomes the caller and the circles claim the
/// grants, so a token user looks to the rest of the API exactly like a key user.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> auth) : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != Scheme)
            return;
        var jwt = auth.Value.Jwt;
        // Claims keep their token names ("sub", not the long SOAP-era URIs).
        options.MapInboundClaims = false;
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        if (!string.IsNullOrEmpty(jwt.Authority))
            options.Authority = jwt.Authority;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            NameClaimType = "sub",
        };
        if (!string.IsNullOrEmpty(jwt.SigningKey))
        {
            options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey));
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                var subject = principal.FindFirst("sub")?.Value;
                if (string.IsNullOrEmpty(subject))
                {
                    context.Fail("The token has no 'sub' claim.");
                    return Task.CompletedTask;
                }
                var circles = principal.FindAll(jwt.CirclesClaim)
                    .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                context.Principal = new ClaimsPrincipal(GatewayClaims.Identity(Scheme, subject, circles, principal.Claims));
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                // The same 401 ProblemDetails as for keys, with the reason the token was refused.
                context.HandleResponse();
                var response = context.Response;
                response.StatusCode = StatusCodes.Status401Unauthorized;
                response.Headers[HeaderNames.WWWAuthenticate] = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized.", Detail = Why(context.AuthenticateFailure) },
                });
            },
        };
    }

    private static string Why(Exception? failure) => failure switch
    {
        null => "A bearer token is required.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token is not meant for this audience.",
        SecurityTokenInvalidIssuerException => "The token is not from the configured issuer.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is not valid.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        AuthenticationFailureException { Message: var message } => message,
        _ => "The token is not valid (neither a configured API key nor an acceptable JWT).",
    };
}
