/** Who is looking at videos: their own, or (an admin) everyone's. */
export interface VideoViewer {
  userId: number;
  isAdmin: boolean;
}

/** The row filter that lets a viewer see a video: others' videos are simply not there (404). */
export function visibleTo(viewer: VideoViewer, id: number): { id: number; userId?: number } {
  return viewer.isAdmin ? { id } : { id, userId: viewer.userId };
}

/** The viewer a signed-in caller is. */
export function viewerOf(principal: { userId: number; role: string }): VideoViewer {
  return { userId: principal.userId, isAdmin: principal.role === "ADMIN" };
}
