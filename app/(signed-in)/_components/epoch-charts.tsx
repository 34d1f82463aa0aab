"use client";

// The training loop's epoch record as stored (a type only: nothing of training/ reaches the browser).
import type { EpochPoint } from "./api-types";
import { LineChart } from "./line-chart";
import styles from "./epoch-charts.module.css";

/** Loss and accuracy per epoch side by side, training against validation. */
export function EpochCharts({ epochs, xMax }: { epochs: readonly EpochPoint[]; xMax: number }) {
  return (
    <div className={styles.chartPair}>
      <div>
        <h3 className="small-heading">Loss</h3>
        <LineChart
          title="Loss per epoch"
          xLabel="Epoch"
          xMax={xMax}
          formatY={(y) => y.toFixed(2)}
          series={[
            { name: "Training loss", variant: "primary", points: epochs.map((e) => ({ x: e.epoch, y: e.loss })) },
            {
              name: "Validation loss",
              variant: "secondary",
              points: epochs.map((e) => ({ x: e.epoch, y: e.valLoss })),
            },
          ]}
        />
      </div>
      <div>
        <h3 className="small-heading">Accuracy</h3>
        <LineChart
          title="Accuracy per epoch"
          xLabel="Epoch"
          xMax={xMax}
          yDomain={[0, 1]}
          formatY={(y) => `${Math.round(y * 100)}%`}
          series={[
            { name: "Training accuracy", variant: "primary", points: epochs.map((e) => ({ x: e.epoch, y: e.acc })) },
            {
              name: "Validation accuracy",
              variant: "secondary",
              points: epochs.map((e) => ({ x: e.epoch, y: e.valAcc })),
            },
          ]}
        />
      </div>
    </div>
  );
}
