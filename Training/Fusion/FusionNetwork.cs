using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Trainable twin of <see cref="FusionModel"/> with hand-written backpropagation: the same forward
/// (e_i = vᵀ tanh(W'_i z_i + b'_i), masked softmax over present modalities, z_fused = Σ α_i z_i,
/// MLP over [z_t; z_s; z_f] with missing slots holding z_fused), plus an optional auxiliary
/// cross-entropy on z_fused itself.
/// </summary>
internal sealed class FusionNetwork
{
    private const int M = ModalityAttention.ModalityCount;
    private const int C = EmotionLabels.Count;

    public FusionNetwork(int attentionDimension, IReadOnlyList<int> hiddenLayers, Random random, bool gatedSlots = false, float gateShare = 1f)
    {
        GatedSlots = gatedSlots;
        GateShare = gateShare;
        Projections = [.. Enumerable.Range(0, M).Select(_ => new Dense(C, attentionDimension, random))];
        var bound = 1f / MathF.Sqrt(attentionDimension);
        V = [.. Enumerable.Range(0, attentionDimension).Select(_ => ((float)random.NextDouble() * 2f - 1f) * bound)];
        var widths = new List<int> { LabelFusionMlp.InputWidth };
        widths.AddRange(hiddenLayers);
        widths.Add(C);
        Mlp = [.. Enumerable.Range(0, widths.Count - 1).Select(l => new Dense(widths[l], widths[l + 1], random))];
    }

    public Dense[] Projections { get; }

    /// <summary>Present slots are gated by attention (<see cref="FusionModel.GatedSlots"/>).</summary>
    public bool GatedSlots { get; }

    /// <summary>τ of the gate g_i = min(1, n α_i / τ) (<see cref="FusionModel.GateShare"/>).</summary>
    public float GateShare { get; }

    public float[] V { get; }

    public Dense[] Mlp { get; }

    public int AttentionDimension => V.Length;

    /// <summary>Parameter arrays in a fixed order, each flagged whether weight decay applies.</summary>
    public IReadOnlyList<(float[] Values, bool Decay)> Parameters()
    {
        var list = new List<(float[], bool)>();
        foreach (var p in Projections)
        {
            list.Add((p.W, true));
            list.Add((p.B, false));
        }

        list.Add((V, true));
        foreach (var d in Mlp)
        {
            list.Add((d.W, true));
            list.Add((d.B, false));
        }

        return list;
    }

    public float[][] NewGradients() => [.. Parameters().Select(p => new float[p.Values.Length])];

    public FusionModel ToModel() => new(
        new AttentionFusion(new ModalityAttention([.. Projections.Select(p => p.ToLayer())], (float[])V.Clone())),
        new LabelFusionMlp([.. Mlp.Select(d => d.ToLayer())]))
    {
        GatedSlots = GatedSlots,
        GateShare = GateShare,
    };

    public float[][] Snapshot() => [.. Parameters().Select(p => (float[])p.Values.Clone())];

    public void Restore(float[][] state)
    {
        var parameters = Parameters();
        for (var i = 0; i < parameters.Count; i++)
        {
            state[i].CopyTo(parameters[i].Values, 0);
        }
    }

    /// <summary>Per-example buffers for forward and backward.</summary>
    public sealed class Pass
    {
        private readonly FusionNetwork _net;

        public Pass(FusionNetwork net)
        {
            _net = net;
            Tanh = [.. Enumerable.Range(0, M).Select(_ => new float[net.AttentionDimension])];
            Activations = [new float[LabelFusionMlp.InputWidth], .. net.Mlp.Select(d => new float[d.Out])];
            DActivations = [new float[LabelFusionMlp.InputWidth], .. net.Mlp.Select(d => new float[d.Out])];
        }

        public float[][] Tanh { get; }

        public float[] Scores { get; } = new float[M];

        public float[] Alpha { get; private set; } = new float[M];

        public float[] Fused { get; } = new float[C];

        /// <summary>Gate of each slot (1 when ungated or missing).</summary>
        public float[] Gates { get; } = new float[M];

        /// <summary>Modalities present in the last forward pass.</summary>
        public int Count { get; private set; }

        public float[][] Activations { get; }

        public float[][] DActivations { get; }

        public float[] Logits => Activations[^1];

        public void Forward(IReadOnlyList<float[]?> z)
        {
            Span<bool> present = stackalloc bool[M];
            for (var i = 0; i < M; i++)
            {
                if (z[i] is not { } zi)
                {
                    continue;
                }

                present[i] = true;
                _net.Projections[i].Forward(zi, Tanh[i]);
                TensorPrimitives.Tanh(Tanh[i], Tanh[i]);
                Scores[i] = TensorPrimitives.Dot(_net.V, Tanh[i]);
            }

            Alpha = Softmax.Masked(Scores, present);
            Array.Clear(Fused);
            for (var i = 0; i < M; i++)
            {
                if (z[i] is { } zi)
                {
                    TensorPrimitives.MultiplyAdd(zi, Alpha[i], Fused, Fused);
                }
            }

            var count = 0;
            for (var i = 0; i < M; i++)
            {
                count += present[i] ? 1 : 0;
            }

            for (var i = 0; i < M; i++)
            {
                var slot = Activations[0].AsSpan(i * C, C);
                if (z[i] is { } zi && _net.GatedSlots)
                {
                    Gates[i] = MathF.Min(1f, count * Alpha[i] / _net.GateShare);
                    FusionModel.Blend(zi, Fused, Gates[i], slot);
                }
                else
                {
                    Gates[i] = 1f;
                    (z[i] ?? Fused).CopyTo(slot);
                }
            }

            Count = count;

            for (var l = 0; l < _net.Mlp.Length; l++)
            {
                _net.Mlp[l].Forward(Activations[l], Activations[l + 1]);
                if (l < _net.Mlp.Length - 1)
                {
                    TensorPrimitives.Max(Activations[l + 1], 0f, Activations[l + 1]);
                }
            }
        }

        /// <summary>
        /// Forward, loss and gradient accumulation for one example; returns
        /// weight·(CE + aux·CE_fused − noise·log(1 − α_corrupted)). <paramref name="corrupted"/> is the
        /// slot replaced by noise (−1 when none): the last term teaches the attention to look away from it.
        /// </summary>
        public float Accumulate(IReadOnlyList<float[]?> z, int label, float weight, float auxiliary, float[][] gradients, int corrupted = -1, float noise = 0f)
        {
            Forward(z);
            var last = _net.Mlp.Length - 1;
            var loss = CrossEntropy.Gradient(Logits, label, weight, DActivations[last + 1]);
            var g = 0;
            var projectionGradients = g;
            g += 2 * M;
            var vGradient = g++;
            var mlpGradients = g;
            for (var l = last; l >= 0; l--)
            {
                if (l < last)
                {
                    var d = DActivations[l + 1];
                    var a = Activations[l + 1];
                    for (var j = 0; j < d.Length; j++)
                    {
                        if (a[j] <= 0f)
                        {
                            d[j] = 0f;
                        }
                    }
                }

                _net.Mlp[l].Backward(Activations[l], DActivations[l + 1], gradients[mlpGradients + (2 * l)], gradients[mlpGradients + (2 * l) + 1], DActivations[l]);
            }

            // dL/dz_fused: from every missing slot, plus the auxiliary loss.
            Span<float> dFused = stackalloc float[C];
            dFused.Clear();
            for (var i = 0; i < M; i++)
            {
                if (z[i] is null)
                {
                    TensorPrimitives.Add(dFused, DActivations[0].AsSpan(i * C, C), dFused);
                }
                else if (Gates[i] < 1f)
                {
                    // slot_i = g_i z_i + (1 − g_i) z_fused
                    TensorPrimitives.MultiplyAdd(DActivations[0].AsSpan(i * C, C), 1f - Gates[i], dFused, dFused);
                }
            }

            if (auxiliary > 0f)
            {
                Span<float> dAux = stackalloc float[C];
                loss += auxiliary * CrossEntropy.Gradient(Fused, label, weight, dAux);
                TensorPrimitives.MultiplyAdd(dAux, auxiliary, dFused, dFused);
            }

            // Softmax Jacobian over the present modalities: de_i = α_i (dα_i − Σ_j α_j dα_j).
            Span<float> dAlpha = stackalloc float[M];
            var mean = 0f;
            for (var i = 0; i < M; i++)
            {
                dAlpha[i] = z[i] is { } zi ? TensorPrimitives.Dot(dFused, zi) : 0f;
                if (z[i] is { } gated && Gates[i] < 1f)
                {
                    // g_i = min(1, n α_i): dL/dα_i += n · D_i · (z_i − z_fused) below the clamp.
                    var d = DActivations[0].AsSpan(i * C, C);
                    dAlpha[i] += Count / _net.GateShare * (TensorPrimitives.Dot(d, gated) - TensorPrimitives.Dot(d, Fused));
                }

                if (i == corrupted && noise > 0f && z[i] is not null)
                {
                    // −log(1 − α_i), kept finite as α_i → 1.
                    var rest = MathF.Max(1f - Alpha[i], 1e-6f);
                    loss -= weight * noise * MathF.Log(rest);
                    dAlpha[i] += weight * noise / rest;
                }

                mean += Alpha[i] * dAlpha[i];
            }

            Span<float> du = stackalloc float[_net.AttentionDimension];
            for (var i = 0; i < M; i++)
            {
                if (z[i] is not { } zi)
                {
                    continue;
                }

                var de = Alpha[i] * (dAlpha[i] - mean);
                if (de == 0f)
                {
                    continue;
                }

                var t = Tanh[i];
                TensorPrimitives.MultiplyAdd(t, de, gradients[vGradient], gradients[vGradient]);
                for (var j = 0; j < du.Length; j++)
                {
                    du[j] = de * _net.V[j] * (1f - (t[j] * t[j]));
                }

                _net.Projections[i].Backward(zi, du, gradients[projectionGradients + (2 * i)], gradients[projectionGradients + (2 * i) + 1], []);
            }

            return loss;
        }
    }
}
