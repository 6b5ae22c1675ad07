using Google.Protobuf;
using Onnx;

namespace Emotion.Orleans.ModelConverter;

/// <summary>
/// Converts a TF.js graph model into an ONNX model (opset 13) with the same external signature.
/// Activations run NCHW inside the graph: the NHWC input is transposed once, 4-D tensors stay NCHW
/// through convolutions, pooling, padding and additions, and are transposed back only where NHWC
/// order is observable (Reshape, graph outputs). Supports exactly the ops the shipped models use
/// (see <see cref="SupportedOps"/>); anything else fails with the op's name.
/// </summary>
public static class TfjsToOnnxConverter
{
    /// <summary>ONNX opset the converted models import.</summary>
    public const int OpsetVersion = 13;

    /// <summary>ONNX IR version matching <see cref="OpsetVersion"/>.</summary>
    public const long IrVersion = 7;

    /// <summary>Producer name written into converted models.</summary>
    public const string ProducerName = "Emotion.Orleans.ModelConverter";

    /// <summary>Producer version written into converted models; bump when the output of a conversion changes.</summary>
    public const string ProducerVersion = "1.0";

    /// <summary>TensorFlow ops this converter understands.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } =
    [
        "Placeholder", "Const", "Identity", "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
        "MaxPool", "Pad", "Add", "AddV2", "Relu", "Relu6", "Reshape", "Mean", "Softmax",
    ];

    /// <summary>Converts <paramref name="model"/> as <paramref name="options"/> say.</summary>
    public static ModelProto Convert(TfjsGraphModel model, ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new Conversion(model, options).Run();
    }

    /// <summary>A converted tensor: ONNX name, TF (NHWC-order) shape with -1 for the batch, physical layout.</summary>
    private sealed record Value(string Name, int[] Shape, bool Nchw)
    {
        public int Rank => Shape.Length;
    }

    private sealed class Conversion
    {
        private readonly TfjsGraphModel _model;
        private readonly ConversionOptions _options;
        private readonly Dictionary<string, TfNode> _nodes;
        private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Value> _transposed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
        private readonly GraphProto _graph;

        public Conversion(TfjsGraphModel model, ConversionOptions options)
        {
            _model = model;
            _options = options;
            _nodes = model.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
            _graph = new GraphProto { Name = options.GraphName };
        }

        public ModelProto Run()
        {
            var outputs = _options.Outputs.Count > 0
                ? _options.Outputs
                : _model.SignatureOutputs.Keys.Order(StringComparer.Ordinal).Select(n => KeyValuePair.Create(n, n)).ToList();
            if (outputs.Count == 0)
            {
                throw new InvalidOperationException("No outputs given and the model has no signature outputs.");
            }

            foreach (var (tfName, onnxName) in outputs)
            {
                if (!_nodes.ContainsKey(tfName))
                {
                    throw new InvalidOperationException($"The graph has no node '{tfName}' to output.");
                }

                var value = Get(tfName);
                if (value.Rank == 4)
                {
                    value = ToNhwc(value);
                }

                AddNode("Identity", onnxName, [value.Name], [onnxName]);
                _graph.Output.Add(ValueInfo(onnxName, value.Shape));
            }

            if (_graph.Input.Count != 1)
            {
                throw new NotSupportedException($"Expected one graph input, found {_graph.Input.Count}.");
            }

            var result = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = ProducerName,
                ProducerVersion = ProducerVersion,
                Graph = _graph,
                DocString = _options.DocString ?? string.Empty,
            };
            result.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
            foreach (var (key, text) in _options.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                result.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = text });
            }

            return result;
        }

        private Value Get(string name)
        {
            if (_values.TryGetValue(name, out var value))
            {
                return value;
            }

            if (!_nodes.TryGetValue(name, out var node))
            {
                throw new InvalidDataException($"The graph references a missing node '{name}'.");
            }

            if (!_inProgress.Add(name))
            {
                throw new InvalidDataException($"The graph has a cycle through '{name}'.");
            }

            value = ConvertNode(node);
            _inProgress.Remove(name);
            _values[name] = value;
            return value;
        }

        private Value ConvertNode(TfNode node) => node.Op switch
        {
            "Placeholder" => Placeholder(node),
            "Identity" => Get(node.Inputs[0]),
            "Conv2D" or "_FusedConv2D" => Convolution(node, depthwise: false),
            "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative" => Convolution(node, depthwise: true),
            "MaxPool" => MaxPool(node),
            "Pad" => Pad(node),
            "Add" or "AddV2" => Add(node),
            "Relu" => Activation(node.Name, Get(node.Inputs[0]), "Relu"),
            "Relu6" => Activation(node.Name, Get(node.Inputs[0]), "Relu6"),
            "Reshape" => Reshape(node),
            "Mean" => Mean(node),
            "Softmax" => Softmax(node),
            "Const" => throw new NotSupportedException($"Constant '{node.Name}' is used as an activation; only weights, paddings, shapes and axes may be constants."),
            _ => throw new NotSupportedException($"TF op '{node.Op}' (node '{node.Name}') is not supported. Supported: {string.Join(", ", SupportedOps)}."),
        };

        private Value Placeholder(TfNode node)
        {
            var dtype = node.Attributes.TryGetValue("dtype", out var d) && d.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (dtype != "DT_FLOAT")
            {
                throw new NotSupportedException($"Input '{node.Name}' has dtype {dtype}; only DT_FLOAT inputs are supported.");
            }

            var shape = node.ShapeAttribute("shape") ?? throw new NotSupportedException($"Input '{node.Name}' has no shape.");
            if (shape.Length > 0 && (shape[0] == -1 || (_options.SymbolicBatch && shape[0] == 1)))
            {
                shape[0] = -1;
            }

            if (shape.Skip(1).Any(s => s < 0))
            {
                throw new NotSupportedException($"Input '{node.Name}' has unknown non-batch dimensions; the converter needs them fixed.");
            }

            _graph.Input.Add(ValueInfo(_options.InputName, shape));
            return new Value(_options.InputName, shape, Nchw: false);
        }

        private Value Convolution(TfNode node, bool depthwise)
        {
            RequireNhwc(node);
            var x = ToNchw(Get(node.Inputs[0]));
            RequireRank(node, x, 4);
            var filter = Constant(node.Inputs[1]);
            if (filter.Shape.Length != 4)
            {
                throw new InvalidDataException($"'{node.Name}': filter '{filter.Name}' is not 4-D.");
            }

            var (kh, kw, cin, cout) = (filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]);
            if (cin != x.Shape[3])
            {
                throw new NotSupportedException($"'{node.Name}': filter expects {cin} input channels, the input has {x.Shape[3]}.");
            }

            var strides = node.IntListAttribute("strides") ?? [1, 1, 1, 1];
            var dilations = node.IntListAttribute("dilations") ?? [1, 1, 1, 1];
            if (strides.Length != 4 || strides[0] != 1 || strides[3] != 1 || dilations.Length != 4 || dilations[0] != 1 || dilations[3] != 1)
            {
                throw new NotSupportedException($"'{node.Name}': strides/dilations over batch or channels are not supported.");
            }

            var padding = node.StringAttribute("padding") ?? "VALID";
            var (oh, top, bottom) = Layout.Spatial(padding, x.Shape[1], kh, strides[1], dilations[1]);
            var (ow, left, right) = Layout.Spatial(padding, x.Shape[2], kw, strides[2], dilations[2]);

            float[] weights;
            int outputChannels;
            int group;
            if (depthwise)
            {
                weights = Layout.DepthwiseToGroupedOihw(filter.FloatValues, kh, kw, cin, cout);
                outputChannels = cin * cout;
                group = cin;
            }
            else
            {
                weights = Layout.HwioToOihw(filter.FloatValues, kh, kw, cin, cout);
                outputChannels = cout;
                group = 1;
            }

            var weightShape = depthwise ? new long[] { outputChannels, 1, kh, kw } : [cout, cin, kh, kw];
            var inputs = new List<string> { x.Name, AddInitializer(filter.Name + "/oihw", weightShape, weights) };

            var fused = node.Op.StartsWith("Fused", StringComparison.Ordinal) || node.Op.StartsWith("_Fused", StringComparison.Ordinal)
                ? node.StringListAttribute("fused_ops")
                : [];
            string? activation = null;
            if (fused.Length > 0)
            {
                if (fused[0] != "BiasAdd" || fused.Length > 2 || node.IntAttribute("num_args", 1) != 1 || node.Inputs.Count != 3)
                {
                    throw new NotSupportedException($"'{node.Name}': fused ops [{string.Join(", ", fused)}] are not supported (BiasAdd, optionally then Relu or Relu6).");
                }

                var bias = Constant(node.Inputs[2]);
                if (bias.Shape.Length != 1 || bias.Shape[0] != outputChannels)
                {
                    throw new InvalidDataException($"'{node.Name}': bias '{bias.Name}' does not have {outputChannels} values.");
                }

                inputs.Add(AddInitializer(bias.Name, [outputChannels], bias.FloatValues));
                if (fused.Length == 2)
                {
                    activation = fused[1] is "Relu" or "Relu6"
                        ? fused[1]
                        : throw new NotSupportedException($"'{node.Name}': fused activation '{fused[1]}' is not supported.");
                }
            }

            var convOutput = activation is null ? node.Name : node.Name + "/conv";
            AddNode("Conv", convOutput, inputs, [convOutput],
                Ints("kernel_shape", kh, kw),
                Ints("strides", strides[1], strides[2]),
                Ints("dilations", dilations[1], dilations[2]),
                Ints("pads", top, left, bottom, right),
                Int("group", group));
            var result = new Value(convOutput, [x.Shape[0], oh, ow, outputChannels], Nchw: true);
            return activation is null ? result : Activation(node.Name, result, activation);
        }

        private Value MaxPool(TfNode node)
        {
            RequireNhwc(node);
            var x = ToNchw(Get(node.Inputs[0]));
            RequireRank(node, x, 4);
            var size = node.IntListAttribute("ksize") ?? throw new InvalidDataException($"'{node.Name}' has no ksize.");
            var strides = node.IntListAttribute("strides") ?? throw new InvalidDataException($"'{node.Name}' has no strides.");
            if (size.Length != 4 || size[0] != 1 || size[3] != 1 || strides.Length != 4 || strides[0] != 1 || strides[3] != 1)
            {
                throw new NotSupportedException($"'{node.Name}': pooling over batch or channels is not supported.");
            }

            var padding = node.StringAttribute("padding") ?? "VALID";
            var (oh, top, bottom) = Layout.Spatial(padding, x.Shape[1], size[1], strides[1], 1);
            var (ow, left, right) = Layout.Spatial(padding, x.Shape[2], size[2], strides[2], 1);

            // ONNX MaxPool ignores padded cells, like TF's SAME max pooling.
            AddNode("MaxPool", node.Name, [x.Name], [node.Name],
                Ints("kernel_shape", size[1], size[2]),
                Ints("strides", strides[1], strides[2]),
                Ints("pads", top, left, bottom, right));
            return new Value(node.Name, [x.Shape[0], oh, ow, x.Shape[3]], Nchw: true);
        }

        private Value Pad(TfNode node)
        {
            var x = Get(node.Inputs[0]);
            var paddings = Constant(node.Inputs[1]).IntValues;
            if (paddings.Length != x.Rank * 2)
            {
                throw new InvalidDataException($"'{node.Name}': paddings do not match the input rank {x.Rank}.");
            }

            long[] pads;
            if (x.Rank == 4)
            {
                x = ToNchw(x);
                pads = Layout.NhwcPaddingsToNchwPads(paddings);
            }
            else
            {
                pads = new long[paddings.Length];
                for (var axis = 0; axis < x.Rank; axis++)
                {
                    pads[axis] = paddings[axis * 2];
                    pads[axis + x.Rank] = paddings[(axis * 2) + 1];
                }
            }

            var shape = x.Shape.Select((s, axis) => s < 0 ? s : s + paddings[axis * 2] + paddings[(axis * 2) + 1]).ToArray();
            if (x.Shape[0] < 0 && (paddings[0] != 0 || paddings[1] != 0))
            {
                throw new NotSupportedException($"'{node.Name}': padding the batch dimension is not supported.");
            }

            var padsName = AddInitializer(node.Name + "/pads", [pads.Length], pads);
            AddNode("Pad", node.Name, [x.Name, padsName], [node.Name], Text("mode", "constant"));
            return new Value(node.Name, shape, x.Nchw);
        }

        private Value Add(TfNode node)
        {
            var a = Get(node.Inputs[0]);
            var b = Get(node.Inputs[1]);
            if (!a.Shape.SequenceEqual(b.Shape))
            {
                throw new NotSupportedException($"'{node.Name}': broadcasting Add of [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] is not supported.");
            }

            if (a.Rank == 4)
            {
                a = ToNchw(a);
                b = ToNchw(b);
            }

            AddNode("Add", node.Name, [a.Name, b.Name], [node.Name]);
            return new Value(node.Name, a.Shape, a.Nchw);
        }

        private Value Activation(string name, Value x, string kind)
        {
            if (kind == "Relu6")
            {
                var min = AddInitializer(name + "/min", [], [0f]);
                var max = AddInitializer(name + "/max", [], [6f]);
                AddNode("Clip", name, [x.Name, min, max], [name]);
            }
            else
            {
                AddNode(kind, name, [x.Name], [name]);
            }

            return x with { Name = name };
        }

        private Value Reshape(TfNode node)
        {
            // Reshape reads elements in NHWC order, so the input goes back to TF's layout first.
            var x = ToNhwc(Get(node.Inputs[0]));
            var target = Constant(node.Inputs[1]).IntValues.Select(v => (long)v).ToArray();
            var batchSymbolic = x.Rank > 0 && x.Shape[0] < 0;
            if (batchSymbolic)
            {
                if (target.Length == 0 || (target[0] != 1 && target[0] != -1))
                {
                    throw new NotSupportedException($"'{node.Name}': a reshape that folds the symbolic batch into other dimensions is not supported.");
                }

                // The batch stays the batch: 0 copies the input's first dimension in ONNX Reshape.
                target[0] = 0;
            }

            var perItem = x.Shape.Skip(batchSymbolic ? 1 : 0).Aggregate(1L, (p, s) => p * s);
            var known = target.Skip(batchSymbolic ? 1 : 0).Where(v => v > 0).Aggregate(1L, (p, s) => p * s);
            var inferred = batchSymbolic ? target.Skip(1).Count(v => v < 0) : target.Count(v => v < 0);
            if (inferred > 1 || (inferred == 0 && known != perItem) || (inferred == 1 && perItem % known != 0))
            {
                throw new InvalidDataException($"'{node.Name}': cannot reshape [{string.Join(",", x.Shape)}] to [{string.Join(",", target)}].");
            }

            var shape = target.Select((v, axis) => axis == 0 && batchSymbolic ? -1 : v < 0 ? (int)(perItem / known) : (int)v).ToArray();
            var shapeName = AddInitializer(node.Name + "/shape", [target.Length], target);
            AddNode("Reshape", node.Name, [x.Name, shapeName], [node.Name]);
            return new Value(node.Name, shape, Nchw: false);
        }

        private Value Mean(TfNode node)
        {
            var x = Get(node.Inputs[0]);
            var axes = Constant(node.Inputs[1]).IntValues.Select(a => a < 0 ? a + x.Rank : a).Distinct().Order().ToArray();
            var keepDims = node.BoolAttribute("keep_dims", false);
            if (x.Nchw && !keepDims && !(axes.Contains(1) && axes.Contains(2)))
            {
                // Dropping channels but not both spatial axes would leave a tensor whose order differs.
                x = ToNhwc(x);
            }

            var onnxAxes = x.Nchw ? axes.Select(Layout.NhwcAxisToNchw).Order().ToArray() : axes;
            var shape = keepDims
                ? x.Shape.Select((s, axis) => axes.Contains(axis) ? 1 : s).ToArray()
                : x.Shape.Where((_, axis) => !axes.Contains(axis)).ToArray();
            AddNode("ReduceMean", node.Name, [x.Name], [node.Name],
                Ints("axes", onnxAxes),
                Int("keepdims", keepDims ? 1 : 0));
            return new Value(node.Name, shape, x.Nchw && keepDims);
        }

        private Value Softmax(TfNode node)
        {
            // TF normalises over the last axis: the channels, which NCHW keeps at axis 1.
            var x = Get(node.Inputs[0]);
            var axis = x.Nchw ? 1 : x.Rank - 1;
            AddNode("Softmax", node.Name, [x.Name], [node.Name], Int("axis", axis));
            return x with { Name = node.Name };
        }

        private Value ToNchw(Value value) => value.Rank == 4 && !value.Nchw ? Transpose(value, Layout.NhwcToNchw, "/nchw", nchw: true) : value;

        private Value ToNhwc(Value value) => value.Rank == 4 && value.Nchw ? Transpose(value, Layout.NchwToNhwc, "/nhwc", nchw: false) : value;

        private Value Transpose(Value value, IReadOnlyList<long> perm, string suffix, bool nchw)
        {
            var name = value.Name + suffix;
            if (!_transposed.TryGetValue(name, out var result))
            {
                AddNode("Transpose", name, [value.Name], [name], Ints("perm", [.. perm]));
                result = value with { Name = name, Nchw = nchw };
                _transposed[name] = result;
            }

            return result;
        }

        private TfConstant Constant(string name) =>
            _model.Constants.TryGetValue(name, out var constant)
                ? constant
                : throw new InvalidDataException($"'{name}' should be a constant with values in the weight manifest.");

        private static void RequireNhwc(TfNode node)
        {
            var format = node.StringAttribute("data_format") ?? "NHWC";
            if (format != "NHWC")
            {
                throw new NotSupportedException($"'{node.Name}': data_format {format} is not supported (NHWC only).");
            }

            var padding = node.StringAttribute("padding");
            if (padding == "EXPLICIT")
            {
                throw new NotSupportedException($"'{node.Name}': EXPLICIT padding is not supported.");
            }
        }

        private static void RequireRank(TfNode node, Value value, int rank)
        {
            if (value.Rank != rank)
            {
                throw new NotSupportedException($"'{node.Name}': expected a {rank}-D input, got [{string.Join(",", value.Shape)}].");
            }
        }

        private void AddNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = name };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            node.Attribute.AddRange(attributes);
            _graph.Node.Add(node);
        }

        private string AddInitializer(string name, long[] dims, float[] values)
        {
            var bytes = new byte[values.Length * sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
            }

            return AddInitializer(name, dims, TensorProto.Types.DataType.Float, bytes);
        }

        private string AddInitializer(string name, long[] dims, long[] values)
        {
            var bytes = new byte[values.Length * sizeof(long)];
            for (var i = 0; i < values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
            }

            return AddInitializer(name, dims, TensorProto.Types.DataType.Int64, bytes);
        }

        private string AddInitializer(string name, long[] dims, TensorProto.Types.DataType type, byte[] rawLittleEndian)
        {
            if (!_initializers.Add(name))
            {
                return name; // one weight shared by two nodes is stored once
            }

            var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(rawLittleEndian) };
            tensor.Dims.AddRange(dims);
            _graph.Initializer.Add(tensor);
            return name;
        }

        private ValueInfoProto ValueInfo(string name, int[] shape)
        {
            var tensorShape = new TensorShapeProto();
            foreach (var size in shape)
            {
                tensorShape.Dim.Add(size < 0
                    ? new TensorShapeProto.Types.Dimension { DimParam = _options.BatchDimension }
                    : new TensorShapeProto.Types.Dimension { DimValue = size });
            }

            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape },
                },
            };
        }

        private static AttributeProto Ints(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }

        private static AttributeProto Ints(string name, params int[] values) => Ints(name, values.Select(v => (long)v).ToArray());

        private static AttributeProto Int(string name, long value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Text(string name, string value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    }
}
