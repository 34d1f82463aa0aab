import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { faceBox, probabilitiesByLabel } from "@/lib/uploads/present";
import { faceVerdicts } from "@/lib/review/adjudication";

/**
 * One face for `GET /api/faces/:id`: the photo and box, every prediction, and where its review
 * stands (consensus, verdicts, flags). Other reviewers' verdicts, the consensus and the golden label
 * are shown to admins and to reviewers who have judged the face themselves, so nobody is steered
 * before their own verdict and a control stays blind.
 */
export async function faceDetail(db: Db, faceId: number, viewer: { userId: number; admin: boolean }) {
  const face = await db.face.findUnique({
    where: { id: faceId },
    include: {
      upload: true,
      state: true,
      adjudication: { include: { adjudicator: { select: { id: true, email: true } } } },
      predictions: {
        orderBy: { id: "desc" },
        include: { modelVersion: { select: { id: true, version: true, name: true, labels: true } } },
      },
    },
  });
  if (!face) throw new AppError("not_found", `No face ${faceId}.`);
  const verdicts = await faceVerdicts(db, faceId);
  const judged = verdicts.some((v) => v.reviewer.id === viewer.userId);
  const open = viewer.admin || judged;
  const s = face.state;
  const flags = s ? [...(s.suspect ? ["suspect"] : []), ...(s.disputed ? ["disputed"] : [])] : [];
  return {
    id: face.id,
    crop_url: `/api/faces/${face.id}/crop.png`,
    box: faceBox(face),
    upload: {
      id: face.upload.id,
      image_url: `/api/uploads/${face.upload.id}/image`,
      width: face.upload.width,
      height: face.upload.height,
      is_face_crop: face.upload.isFaceCrop,
    },
    created_at: face.createdAt.toISOString(),
    predictions: face.predictions.map((p) => ({
      id: p.id,
      label: p.label,
      confidence: p.confidence,
      margin: p.margin,
      probabilities: probabilitiesByLabel(p.modelVersion.labels, p.probabilities),
      model_version: { id: p.modelVersion.id, version: p.modelVersion.version, name: p.modelVersion.name },
      created_at: p.createdAt.toISOString(),
    })),
    // Withheld (null) until the viewer may see them.
    golden: open ? face.golden : null,
    golden_label: open ? face.goldenLabel : null,
    consensus:
      open && s
        ? {
            state: s.state.toLowerCase(),
            label: s.consensusLabel,
            support: s.support,
            verdicts: s.verdicts,
            needed: s.needed,
            adjudication: face.adjudication
              ? {
                  label: face.adjudication.label,
                  note: face.adjudication.note,
                  by: face.adjudication.adjudicator,
                  at: face.adjudication.createdAt.toISOString(),
                }
              : null,
          }
        : null,
    verdicts: open ? verdicts : verdicts.filter((v) => v.reviewer.id === viewer.userId),
    flags: open ? flags : [],
  };
}
