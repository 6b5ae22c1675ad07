using Emotion.Orleans.Inference.Benchmarks;

return BenchCommand.Run(args);
