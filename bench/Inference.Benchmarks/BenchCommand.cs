namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Runs the sections, prints the table and writes the JSON.</summary>
internal static class BenchCommand
{
    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse(args, out var error);
        if (error is not null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        var runtime = new OnnxRuntimeOptions { IntraOpThreads = options.Threads };
        runtime.AllowSpinning = options.Spinning ?? runtime.AllowSpinning;
        var sessions = new OnnxSessionFactory(runtime);
        Console.WriteLine($"intra-op spin-waiting: {(runtime.AllowSpinning ? "on" : "off")}");
        var machine = MachineInfo.Collect(options, sessions);
        machine.Print(Console.Out);
        Console.WriteLine(options.Quick ? "mode: quick" : "mode: full");

        var context = new BenchContext(options, sessions, LoadBundle(out var bundleNote));
        Console.WriteLine(bundleNote);

        IBenchSection[] sections = [new TextBench(), new SpeechBench(), new FaceBench()];
        var rows = new List<BenchRow>();
        var failed = false;
        foreach (var section in sections.Where(s => options.Only is null || options.Only == s.Modality))
        {
            Console.WriteLine($"measuring {section.Modality} …");
            try
            {
                rows.AddRange(section.Run(context));
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ModelBundleException)
            {
                // One modality's missing model must not hide the others' figures.
                context.Note(section.Modality, $"not measured: {ex.GetType().Name}: {ex.Message}");
                failed = true;
            }
        }

        var report = new BenchReport(machine, options.Quick, MachineInfo.ReadLoadAverage(), rows, BenchReport.Best(rows), context.Notes);
        report.PrintTable(Console.Out);
        if (options.JsonPath is not null)
        {
            report.WriteJson(options.JsonPath);
            Console.WriteLine($"wrote {Path.GetFullPath(options.JsonPath)}");
        }

        return failed ? 1 : 0;
    }

    private static ModelBundle? LoadBundle(out string note)
    {
        var directory = ModelFiles.DefaultBundle;
        if (!Directory.Exists(directory))
        {
            note = $"bundle: none at {directory}; heads are not measured, encoder paths only";
            return null;
        }

        try
        {
            var bundle = ModelBundle.Load(directory);
            note = $"bundle: {directory} (created {bundle.Manifest.CreatedUtc:u})";
            return bundle;
        }
        catch (ModelBundleException ex)
        {
            note = $"bundle: {directory} does not load ({ex.Message}); heads are not measured, encoder paths only";
            return null;
        }
    }
}
