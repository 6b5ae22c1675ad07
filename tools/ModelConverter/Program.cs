using System.Globalization;
using Emotion.Orleans.ModelConverter;
using Google.Protobuf;

// emotion-model-converter <model.json> <output.onnx> [options]; see Usage below.
const string Usage = """
    usage: emotion-model-converter <model.json> <output.onnx> [options]
      --input NAME             ONNX name of the graph input (default: input)
      --output TF=ONNX         graph output: TF node name = ONNX output name; repeat, in output order
                               (default: the signature's outputs, keeping their names)
      --symbolic-batch         make a fixed batch of 1 symbolic (an unknown batch always is)
      --batch-dim NAME         name of the symbolic batch dimension (default: batch)
      --graph-name NAME        ONNX graph name (default: the model.json file name)
      --doc TEXT               model doc string
      --meta KEY=VALUE         model metadata property; repeat
    """;

if (args.Length < 2 || args.Contains("--help") || args.Contains("-h"))
{
    Console.Error.WriteLine(Usage);
    return args.Length < 2 ? 2 : 0;
}

var input = args[0];
var output = args[1];
var outputs = new List<KeyValuePair<string, string>>();
var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
string inputName = "input", batchDim = "batch", graphName = Path.GetFileNameWithoutExtension(input);
string? doc = null;
var symbolicBatch = false;
// A malformed option is a usage error (exit 2), not a crash with a stack trace.
for (var i = 2; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value.");
    static KeyValuePair<string, string> Pair(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? KeyValuePair.Create(text[..eq], text[(eq + 1)..]) : throw new UsageException($"Expected KEY=VALUE, got '{text}'.");
    }

    try
    {
        switch (args[i])
        {
            case "--input": inputName = Next(); break;
            case "--output": outputs.Add(Pair(Next())); break;
            case "--symbolic-batch": symbolicBatch = true; break;
            case "--batch-dim": batchDim = Next(); break;
            case "--graph-name": graphName = Next(); break;
            case "--doc": doc = Next(); break;
            case "--meta":
                var (key, value) = Pair(Next());
                metadata[key] = value;
                break;
            default:
                Console.Error.WriteLine($"unknown option {args[i]}");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
    catch (UsageException ex)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}

var model = TfjsGraphModel.Load(input);
var onnx = TfjsToOnnxConverter.Convert(model, new ConversionOptions
{
    InputName = inputName,
    Outputs = outputs,
    SymbolicBatch = symbolicBatch,
    BatchDimension = batchDim,
    GraphName = graphName,
    DocString = doc,
    Metadata = metadata,
});

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
using (var stream = File.Create(output))
{
    onnx.WriteTo(stream);
}

var ops = onnx.Graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Count()}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{output}: {new FileInfo(output).Length} bytes, {onnx.Graph.Node.Count} nodes ({string.Join(", ", ops)}), {onnx.Graph.Initializer.Count} initializers"));
foreach (var o in onnx.Graph.Output)
{
    var dims = o.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString(CultureInfo.InvariantCulture));
    Console.WriteLine($"  output {o.Name} [{string.Join(", ", dims)}]");
}

return 0;

/// <summary>A command line the converter cannot use.</summary>
internal sealed class UsageException(string message) : Exception(message);
