using System.Net;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Gateway.Cli.Commands;

/// <summary>
/// Runs a command's body and turns what can go wrong into a message and an exit code; a person
/// sees the API's ProblemDetails title and detail, never a stack trace.
/// </summary>
internal static class Guard
{
    public static async Task<int> RunAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"gw: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (GatewayApiException ex)
        {
            Console.Error.WriteLine($"error: {ex.Title}");
            // A 400's detail only repeats its field errors, which are clearer one per line.
            if (!string.IsNullOrEmpty(ex.Detail) && ex.Errors.Count == 0)
                Console.Error.WriteLine(ex.Detail);
            foreach (var (field, messages) in ex.Errors)
            {
                foreach (var message in messages)
                    Console.Error.WriteLine($"  {field}: {message}");
            }
            return ex.StatusCode == HttpStatusCode.BadRequest ? ExitCodes.Usage : ExitCodes.ApiError;
        }
        catch (ArgumentException ex)
        {
            // The client checks its arguments before any request; one a command's options let through.
            Console.Error.WriteLine($"gw: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"error: the gateway could not be reached: {ex.Message}");
            return ExitCodes.ApiError;
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"error: the connection to the gateway broke: {ex.Message}");
            return ExitCodes.ApiError;
        }
        catch (OptionsValidationException ex)
        {
            // The connection's settings (an API key no header can carry).
            foreach (var failure in ex.Failures)
                Console.Error.WriteLine($"gw: {failure}");
            return ExitCodes.Usage;
        }
        catch (TimeoutRejectedException)
        {
            Console.Error.WriteLine("error: the gateway did not answer in time.");
            return ExitCodes.ApiError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
    }
}
