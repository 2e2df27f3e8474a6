// The desk (/agent/): "Write articles" shows when this session may write help articles (an admin, or an
// agent while admins allow it: GET /api/agent/help). Quietly nothing on any failure: the desk's own page
// says what is wrong with the session.
import { api } from "./api.js";
import { getSession } from "./session.js";

async function showWriteLink() {
  const session = getSession();
  const link = document.getElementById("write-articles");
  if (!session || !link) return;
  try {
    const { may_write: mayWrite } = await api("GET", "/agent/help", { token: session.session });
    link.hidden = !mayWrite;
  } catch {
    link.hidden = true;
  }
}

showWriteLink();
