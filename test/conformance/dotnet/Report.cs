// One JSON line per feature on stdout, the protocol every conformance client speaks (see ../matrix.ts).
// A check that hangs is reported as a fail after its own timeout, so one stuck feature cannot eat the whole run.
using System.Text.Json;

namespace Conformance;

/// <summary>Thrown by a check whose feature Azure itself refuses: the cell is "n/a" with this reason.</summary>
public sealed class NotApplicableException(string reason) : Exception(reason);

public static class Report
{
    static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    public static async Task Run(string client, string feature, Func<Task> check)
    {
        string status = "pass";
        string? error = null;
        try
        {
            var running = check();
            if (await Task.WhenAny(running, Task.Delay(CheckTimeout)) != running)
                throw new TimeoutException($"no answer within {CheckTimeout.TotalSeconds} s");
            await running;
        }
        catch (NotApplicableException na)
        {
            status = "n/a";
            error = na.Message;
        }
        catch (Exception ex)
        {
            status = "fail";
            error = $"{ex.GetType().Name}: {ex.Message}";
            Console.Error.WriteLine($"{feature}: {ex}");
        }
        Console.WriteLine(JsonSerializer.Serialize(new { client, feature, status, error }));
    }

    public static void Require(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }

    public static string Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"environment variable {name} is not set");

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
