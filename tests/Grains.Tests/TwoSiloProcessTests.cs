using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Two silo processes of the built host sharing a Redis on loopback; skipped unless <c>EMOTION_REDIS</c> names one.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class TwoSiloProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);
    private const int MaxCalls = 48;

    private readonly List<SiloProcess> _silos = [];

    private static object Text(string text, string start, string end) => new { speaker = "customer", text, start, end };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [SkippableFact]
    public async Task Calls_spread_over_two_silo_processes_go_on_after_one_is_killed()
    {
        Skip.If(ClusterModeSiloFactory.Redis is null, "EMOTION_REDIS is not set.");
        var service = $"test-{Guid.NewGuid():N}";
        var a = Start("A", service);
        var b = Start("B", service);
        await Task.WhenAll(a.WaitUntilServingAsync(StartTimeout), b.WaitUntilServingAsync(StartTimeout));
        using var httpA = a.CreateClient();
        using var httpB = b.CreateClient();

        // Calls enter through both silos; placement decides where each session lives.
        var hosts = new Dictionary<string, SiloProcess>();
        // A silo that has just started may not yet be in the other's view of the cluster: after the
        // first 8 calls, one more call a second until both silos host one (bounded).
        for (var i = 0; i < MaxCalls && (i < 8 || !hosts.ContainsValue(a) || !hosts.ContainsValue(b)); i++)
        {
            if (i >= 8)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var id = $"call-{i}";
            var status = await JsonAsync(await (i % 2 == 0 ? httpA : httpB).PostAsync($"/calls/{id}/start", null));
            var silo = status.GetProperty("silo").GetString()!;
            hosts[id] = silo.Contains(a.SiloEndpoint, StringComparison.Ordinal) ? a
                : silo.Contains(b.SiloEndpoint, StringComparison.Ordinal) ? b
                : throw new Xunit.Sdk.XunitException($"Call {id} is hosted on an unknown silo {silo}.");
        }

        output.WriteLine($"Sessions on A: {hosts.Count(h => h.Value == a)}, on B: {hosts.Count(h => h.Value == b)}.");
        Assert.Contains(a, hosts.Values);
        Assert.Contains(b, hosts.Values);

        var before = new Dictionary<string, string>();
        foreach (var id in hosts.Keys)
        {
            var sent = await JsonAsync(await httpB.PostAsJsonAsync($"/calls/{id}/text", Text("I am furious, this is the third time.", "00:00:01", "00:00:02")));
            Assert.Equal(1, sent.GetProperty("results").GetArrayLength());
            before[id] = sent.GetProperty("results")[0].GetRawText();
        }

        b.Kill();
        var failover = Stopwatch.StartNew();

        // Every call goes on through silo A: those that lived on B are activated again from Redis.
        foreach (var id in hosts.Keys)
        {
            var sent = await RetryUntilAcceptedAsync(() => httpA.PostAsJsonAsync($"/calls/{id}/text", Text("Thanks, that solved it.", "00:00:03", "00:00:04")));
            Assert.Equal(1, sent.GetProperty("results").GetArrayLength());
            Assert.Equal(2, sent.GetProperty("results")[0].GetProperty("sequence").GetInt64());

            var status = await JsonAsync(await httpA.GetAsync($"/calls/{id}"));
            Assert.Contains(a.SiloEndpoint, status.GetProperty("silo").GetString(), StringComparison.Ordinal);
            Assert.Equal("active", status.GetProperty("state").GetString());

            var results = (await JsonAsync(await httpA.GetAsync($"/calls/{id}/timeline"))).GetProperty("results").EnumerateArray().ToList();
            Assert.Equal([1L, 2L], results.Select(r => r.GetProperty("sequence").GetInt64()));
            output.WriteLine($"{id} (was on {hosts[id].Name}) went on through A after {failover.Elapsed.TotalSeconds:F1} s.");
            Assert.Equal(before[id], results[0].GetRawText());
            Assert.Equal(["00:00:01", "00:00:03"], results.Select(r => r.GetProperty("windowStart").GetString()));
        }
    }

    // Until the cluster declares the killed silo dead, calls to sessions it hosted fail; bounded retry.
    private static async Task<JsonElement> RetryUntilAcceptedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await send();
            if (response.IsSuccessStatusCode || deadline.Elapsed > FailoverTimeout)
            {
                return await JsonAsync(response);
            }

            await Task.Delay(RetryInterval);
        }
    }

    private SiloProcess Start(string name, string service)
    {
        var silo = new SiloProcess(name, service, ClusterModeSiloFactory.Redis!);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Kills every silo process still running and writes what they printed.</summary>
    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Kill();
            output.WriteLine($"--- silo {silo.Name} output ---");
            output.WriteLine(silo.Output);
            silo.Dispose();
        }
    }

    /// <summary>One silo host running as its own OS process.</summary>
    private sealed class SiloProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Uri _baseAddress;
        private readonly Uri _managementAddress;

        public SiloProcess(string name, string service, string redis)
        {
            Name = name;
            var siloPort = FreePort();
            SiloEndpoint = $"127.0.0.1:{siloPort.ToString(CultureInfo.InvariantCulture)}:";
            _baseAddress = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}");
            var host = SiloHost();
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(host)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { host, "--urls", _baseAddress.ToString().TrimEnd('/') })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["Silo__Mode"] = "Cluster";
            start.Environment["Silo__RedisConnectionString"] = redis;
            start.Environment["Silo__ClusterId"] = service;
            start.Environment["Silo__ServiceId"] = service;
            start.Environment["Silo__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
            start.Environment["Silo__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture);
            start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
            start.Environment["Logging__Console__FormatterName"] = "simple";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            _managementAddress = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}");
            start.Environment["Silo__ManagementPort"] = _managementAddress.Port.ToString(CultureInfo.InvariantCulture);
            foreach (var (key, value) in TestTenants.Settings)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            _process = new Process { StartInfo = start, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.Exited += (_, _) => _started.TrySetException(new InvalidOperationException($"Silo {Name} exited before it served HTTP."));
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Name { get; }

        /// <summary>The silo-to-silo endpoint as it appears in a silo address (<c>127.0.0.1:port:</c>).</summary>
        public string SiloEndpoint { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public HttpClient CreateClient() => new HttpClient { BaseAddress = _baseAddress, Timeout = TimeSpan.FromSeconds(100) }.As(TestTenants.A);

        /// <summary>Waits for the host's "Application started" line, then checks HTTP answers.</summary>
        public async Task WaitUntilServingAsync(TimeSpan timeout)
        {
            try
            {
                await _started.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Silo {Name} did not start within {timeout}.");
            }

            using var http = new HttpClient { BaseAddress = _managementAddress, Timeout = TimeSpan.FromSeconds(100) };
            using var response = await http.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }

        public void Dispose() => _process.Dispose();

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                _started.TrySetResult();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>
        /// The built silo host: the Silo project's own output for this configuration, else the copy beside the tests.
        /// </summary>
        private static string SiloHost()
        {
            const string Dll = "Emotion.Orleans.Silo.dll";
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = here.Name;
            var configuration = here.Parent?.Name ?? "Debug";
            for (var dir = here; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "Silo", "bin", configuration, framework, Dll);
                if (File.Exists(Path.Combine(dir.FullName, "Emotion.Orleans.sln")) && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            var beside = Path.Combine(AppContext.BaseDirectory, Dll);
            return File.Exists(beside) ? beside : throw new FileNotFoundException("The built silo host was not found.", Dll);
        }
    }
}
