using System.Text.Json;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Silo;

namespace Emotion.Orleans.Deploy.Tests;

public sealed class DashboardTests
{
    private static readonly string DashboardPath = DeployFiles.PathOf("grafana", "dashboards", "emotion-orleans.json");

    /// <summary>Every PromQL expression of the dashboard.</summary>
    public static IReadOnlyList<string> Expressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        List<string> expressions = [];
        Collect(document.RootElement, expressions);
        return expressions;
    }

    /// <summary>Every metric name the dashboard's expressions select.</summary>
    public static IReadOnlySet<string> MetricNames() => Expressions().SelectMany(PromQl.MetricNames).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Expression_parser_finds_metrics_but_not_functions_labels_or_ranges()
    {
        var names = PromQl.MetricNames("histogram_quantile(0.95, sum by (le, modality) (rate(emotion_stage_latency_milliseconds_bucket{stage=\"model\"}[$__rate_interval]))) / on (instance) group_left up_total");
        Assert.Equal(["emotion_stage_latency_milliseconds_bucket", "up_total"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dashboard_queries_only_name_metrics_that_a_silo_exports()
    {
        var names = MetricNames();
        Assert.NotEmpty(names);
        var unknown = names.Where(n => !ExportedMetrics.IsExported(n)).ToList();
        Assert.True(unknown.Count == 0, "Not exported by a silo: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Orleans_instrument_names_are_read_from_the_orleans_assembly()
    {
        Assert.Contains(EmotionTelemetryExtensions.OrleansRequestLatencyInstrument, ExportedMetrics.OrleansInstrumentNames);
        Assert.Contains("orleans-catalog-activations", ExportedMetrics.OrleansInstrumentNames);
        Assert.False(ExportedMetrics.IsExported("orleans_no_such_instrument_total"));
    }

    [Fact]
    public void Dashboard_shows_per_modality_percentiles_throughput_batches_calls_errors_and_silos()
    {
        var expressions = Expressions();
        foreach (var modality in new[] { "text", "speech", "face" })
        {
            foreach (var quantile in new[] { "0.5", "0.95", "0.99" })
            {
                Assert.Contains(expressions, e => e.Contains($"histogram_quantile({quantile},", StringComparison.Ordinal)
                    && e.Contains(EmotionMetrics.PrometheusNames.ModalityLatency + "_bucket", StringComparison.Ordinal)
                    && e.Contains($"modality=\"{modality}\"", StringComparison.Ordinal));
            }
        }

        var names = MetricNames();
        Assert.Contains(EmotionMetrics.PrometheusNames.InputsReceived, names);
        Assert.Contains(EmotionMetrics.PrometheusNames.BatchSize + "_bucket", names);
        Assert.Contains(EmotionMetrics.PrometheusNames.ActiveCalls, names);
        Assert.Contains(EmotionMetrics.PrometheusNames.InferenceErrors, names);
        Assert.Contains(EmotionMetrics.PrometheusNames.ItemsRefused, names);
        Assert.Contains(EmotionMetrics.PrometheusNames.SiloInfo, names);
    }

    [Fact]
    public void Panels_query_the_provisioned_datasource_and_have_unique_ids()
    {
        var datasource = Assert.Single(DeployFiles.LoadSingleYaml(DeployFiles.PathOf("grafana", "provisioning", "datasources", "prometheus.yaml")).Child("datasources").Items());
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var panels = document.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            Assert.Equal(datasource.Scalar("uid"), panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.Equal(datasource.Scalar("type"), panel.GetProperty("datasource").GetProperty("type").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        }
    }

    private static void Collect(JsonElement element, List<string> expressions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        expressions.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        Collect(property.Value, expressions);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, expressions);
                }

                break;
        }
    }
}
