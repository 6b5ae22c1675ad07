using System.Text.Json;
using System.Text.Json.Serialization;
using Emotion.Orleans.Silo;

var builder = WebApplication.CreateBuilder(args);

// Inference (recognizers, speech segmenter, fusion model) comes from the model bundle registration;
// this check, registered first so it runs before the silo starts, stops the host with a clear
// message while it is missing.
builder.Services.AddHostedService<InferenceRegistrationCheck>();
builder.AddEmotionSilo();

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<CallExceptionHandler>();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.MapOpenApi();
app.MapCallEndpoints();
app.Run();

/// <summary>The silo host (public for functional tests).</summary>
public partial class Program;
