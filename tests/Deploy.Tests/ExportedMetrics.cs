using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Silo;

namespace Emotion.Orleans.Deploy.Tests;

/// <summary>
/// The Prometheus series names a silo can export: the product's (from <see cref="EmotionMetrics.PrometheusNames"/>),
/// Orleans' (from the instrument name constants in the Orleans assembly the silo runs) and the .NET runtime's
/// (from the instruments of its <c>System.Runtime</c> meter), named as the OpenTelemetry Prometheus exporter names them.
/// </summary>
internal static class ExportedMetrics
{
    /// <summary>Orleans' instrument names, read from the constants of <c>Orleans.Runtime.InstrumentNames</c>.</summary>
    public static IReadOnlyList<string> OrleansInstrumentNames { get; } = ReadOrleansInstrumentNames();

    /// <summary>Series of the runtime meter's instruments.</summary>
    public static IReadOnlySet<string> RuntimeSeries { get; } = ReadRuntimeSeries();

    /// <summary>
    /// Series of ASP.NET Core's hosting and Kestrel meters that the dashboard may use (ASP.NET Core's
    /// documented instruments; the live silo test checks that each one is on the endpoint).
    /// </summary>
    public static IReadOnlyList<string> AspNetCoreSeries { get; } =
    [
        "http_server_request_duration_seconds_bucket",
        "http_server_request_duration_seconds_sum",
        "http_server_request_duration_seconds_count",
        "http_server_active_requests",
        "kestrel_active_connections",
    ];

    /// <summary>Whether a silo can export a series of this name.</summary>
    public static bool IsExported(string series) =>
        EmotionMetrics.PrometheusNames.Series.Contains(series)
        || RuntimeSeries.Contains(series)
        || AspNetCoreSeries.Contains(series)
        || OrleansInstrumentNames.Any(i => IsSeriesOf(Sanitize(i), series));

    /// <summary>Series names of an instrument as the Prometheus exporter writes them.</summary>
    public static IEnumerable<string> SeriesOf(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        if (!string.IsNullOrEmpty(instrument.Unit))
        {
            var unit = UnitName(instrument.Unit);
            if (!name.Contains(unit, StringComparison.Ordinal))
            {
                name += "_" + unit;
            }
        }

        var type = instrument.GetType().GetGenericTypeDefinition();
        if (type == typeof(Histogram<>))
        {
            return [name + "_bucket", name + "_sum", name + "_count"];
        }

        if ((type == typeof(Counter<>) || type == typeof(ObservableCounter<>)) && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            return [name + "_total"];
        }

        return [name];
    }

    /// <summary>Invalid characters become one underscore, as the exporter does.</summary>
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        var lastUnderscore = false;
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c) || c == ':')
            {
                sb.Append(c);
                lastUnderscore = false;
            }
            else if (!lastUnderscore)
            {
                sb.Append('_');
                lastUnderscore = true;
            }
        }

        return sb.ToString();
    }

    // A series of an Orleans instrument whose unit and kind are not known from its name alone:
    // the name, an optional unit, an optional _total, an optional histogram suffix.
    private static bool IsSeriesOf(string baseName, string series) =>
        series.StartsWith(baseName, StringComparison.Ordinal)
        && System.Text.RegularExpressions.Regex.IsMatch(series[baseName.Length..], "^(_milliseconds|_seconds|_bytes|_megabytes)?(_total)?(_bucket|_sum|_count)?$");

    private static string UnitName(string unit)
    {
        var withoutAnnotations = System.Text.RegularExpressions.Regex.Replace(unit, @"\{[^}]*\}", "");
        return withoutAnnotations switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => "",
            _ => withoutAnnotations,
        };
    }

    private static List<string> ReadOrleansInstrumentNames()
    {
        var type = Assembly.Load("Orleans.Core").GetType("Orleans.Runtime.InstrumentNames", throwOnError: true)!;
        return [.. type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)];
    }

    private static HashSet<string> ReadRuntimeSeries()
    {
        var series = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == EmotionTelemetryExtensions.RuntimeMeterName)
            {
                series.UnionWith(SeriesOf(instrument));
            }
        };
        listener.Start();
        return series;
    }
}
