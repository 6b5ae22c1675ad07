using System.Text.Json.Serialization;
using Emotion.Orleans.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddEmotionSilo();
if (!builder.Services.IsInferenceRegistered())
{
    Console.Error.WriteLine("Inference is not configured (recognizers, speech segmenter, fusion model): register the model bundle before starting the silo.");
    return 2;
}

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<CallExceptionHandler>();
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.MapOpenApi();
app.MapCallEndpoints();
app.Run();
return 0;
