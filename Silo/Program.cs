using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;

var builder = WebApplication.CreateBuilder(args);

// The models (configuration section Inference, default bundle Models/bundle beside the app) load
// while the host starts, before the silo: a bad setting or bundle stops the host there.
builder.Services.AddEmotionInference(builder.Configuration);
builder.AddEmotionSilo();
builder.AddEmotionTelemetry();
builder.AddEmotionHttpApi();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseEmotionHttpApi();
app.MapEmotionManagement();
app.MapCallEndpoints();
app.Run();

/// <summary>The silo host (public for functional tests).</summary>
public partial class Program;
