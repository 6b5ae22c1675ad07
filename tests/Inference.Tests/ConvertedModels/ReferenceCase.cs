using System.Text.Json;
using System.Text.Json.Serialization;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// One input of Reference/*.json (written by tools/models/reference.mjs from the original TF.js
/// models) and what TF.js computed for it.
/// </summary>
public sealed record ReferenceCase(ReferenceInput Input, IReadOnlyDictionary<string, ReferenceOutput> Outputs)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The recorded cases of one model, e.g. <c>blazeface</c>.</summary>
    public static IReadOnlyList<ReferenceCase> Load(string model)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", model + ".json");
        var file = JsonSerializer.Deserialize<ReferenceFile>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} is empty.");
        return file.Cases;
    }

    public override string ToString() => Input.ToString();

    private sealed record ReferenceFile(string Model, IReadOnlyList<ReferenceCase> Cases);
}

/// <summary>A formula-generated NHWC input; rebuilt here exactly as reference.mjs builds it.</summary>
public sealed record ReferenceInput(string Kind, int Seed, int[] Shape)
{
    [JsonIgnore]
    public long[] LongShape => Shape.Select(d => (long)d).ToArray();

    /// <summary>The input values, bit-identical to the TF.js side (integer arithmetic, one rounding to float32).</summary>
    public float[] Values() => Kind switch
    {
        "formula" => Formula(Shape.Aggregate(1, (a, b) => a * b), Seed),
        "gradient" => Gradient(Shape),
        _ => throw new InvalidDataException($"Unknown reference input kind '{Kind}'."),
    };

    public override string ToString() => $"{Kind}{(Kind == "formula" ? " seed " + Seed : string.Empty)} [{string.Join(",", Shape)}]";

    private static float[] Formula(int count, int seed)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)((((i * 7919) + (seed * 104729L)) % 2001 / 1000.0) - 1);
        }

        return values;
    }

    private static float[] Gradient(int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        var i = 0;
        for (var n = 0; n < shape[0]; n++)
        {
            for (var y = 0; y < shape[1]; y++)
            {
                for (var x = 0; x < shape[2]; x++)
                {
                    for (var c = 0; c < shape[3]; c++)
                    {
                        values[i++] = (float)(((((3 * y) + (5 * x) + (7 * c) + (11 * n)) % 200) / 100.0) - 1);
                    }
                }
            }
        }

        return values;
    }
}

/// <summary>TF.js output summary: every <c>stride</c>-th value plus sums over all values.</summary>
public sealed record ReferenceOutput(int[] Shape, int Stride, double[] Samples, double Sum, double AbsSum, double SqSum, double Min, double Max);
