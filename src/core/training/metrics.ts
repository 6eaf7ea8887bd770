// Classification figures from true and predicted classes: plain arithmetic, no tensors.

import type { ClassMetrics, ConfusionMatrix } from '../../shared/runs';

/** Rows are the true class, columns the predicted one. */
export function confusionMatrix(labels: string[], truth: ArrayLike<number>, predicted: ArrayLike<number>): ConfusionMatrix {
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < truth.length; i++) matrix[truth[i]!]![predicted[i]!]!++;
  return { labels, matrix };
}

export function accuracy({ matrix }: ConfusionMatrix): number {
  const total = matrix.flat().reduce((sum, count) => sum + count, 0);
  const right = matrix.reduce((sum, row, index) => sum + row[index]!, 0);
  return total === 0 ? 0 : right / total;
}

/** Precision, recall and F1 of each class; 0 where a ratio has nothing to divide by. */
export function perClassMetrics({ labels, matrix }: ConfusionMatrix): ClassMetrics[] {
  return labels.map((label, k) => {
    const truePositives = matrix[k]![k]!;
    const support = matrix[k]!.reduce((sum, count) => sum + count, 0);
    const predictedAsK = matrix.reduce((sum, row) => sum + row[k]!, 0);
    const precision = predictedAsK === 0 ? 0 : truePositives / predictedAsK;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

/** How many of `predicted` are the `truth`. */
export function countCorrect(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct;
}
