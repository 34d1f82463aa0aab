import type { Box } from "./api-types";
import styles from "./photo-with-boxes.module.css";

export interface PhotoBox {
  key: number;
  box: Box;
  /** Shown in the corner badge (the face number). */
  badge?: string;
  active?: boolean;
}

interface Props {
  src: string;
  alt: string;
  width: number;
  height: number;
  boxes: PhotoBox[];
  className?: string;
}

/**
 * The original photo with face boxes drawn over it. Boxes are placed in percent of the photo's own
 * pixel size, so they stay on the faces however the image is scaled by CSS.
 */
export function PhotoWithBoxes({ src, alt, width, height, boxes, className }: Props) {
  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(3)}%`;
  return (
    <div
      className={className ? `${styles.photoFrame} ${className}` : styles.photoFrame}
      // Sized from the known pixel size before the image arrives: no layout jump, and the boxes
      // line up even while it loads. --photo-max-h is 70vh unless the page around sets it.
      style={{
        aspectRatio: `${width} / ${height}`,
        width: `min(100%, calc(var(--photo-max-h, 70vh) * ${(width / height).toFixed(4)}))`,
      }}
    >
      {/* Plain <img>: the photo is served by an authenticated route and needs no resizing service. */}
      <img src={src} alt={alt} width={width} height={height} className={styles.photoImg} decoding="async" />
      {boxes.map((b) => (
        <div
          key={b.key}
          className={b.active ? `${styles.faceBox} ${styles.isActive}` : styles.faceBox}
          style={{
            left: pct(b.box.x, width),
            top: pct(b.box.y, height),
            width: pct(b.box.width, width),
            height: pct(b.box.height, height),
          }}
          aria-hidden="true"
        >
          {b.badge ? <span className={styles.faceBadge}>{b.badge}</span> : null}
        </div>
      ))}
    </div>
  );
}
