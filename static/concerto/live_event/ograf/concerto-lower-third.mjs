// The OGraf wrapper of the lower third (concerto-lower-third.ograf.json): a Web Component that the
// OGraf host registers and drives. It frames the event's overlay page, which is whole on every load
// and follows the show by itself (overlay.js): the graphic only shows, hides and points it.
// The event must list the host's origin in its allowed frames (frame-ancestors).
export default class ConcertoLowerThird extends HTMLElement {
  connectedCallback() {
    if (this.frame) { return; }
    this.style.display = "block";
    this.style.width = "100%";
    this.style.height = "100%";
    this.style.opacity = "0"; // nothing painted before playAction (OGraf)
    this.style.transition = "opacity 300ms";
    this.frame = document.createElement("iframe");
    this.frame.setAttribute("title", "Concerto");
    this.frame.style.cssText = "border:0;width:100%;height:100%;background:transparent";
    this.appendChild(this.frame);
  }

  setUrl(data) {
    const url = data && typeof data.url === "string" ? data.url : "";
    if (!/^https?:\/\//.test(url)) { return false; }
    this.connectedCallback();
    if (this.frame.getAttribute("src") !== url) { this.frame.setAttribute("src", url); }
    return true;
  }

  async load(params) {
    this.connectedCallback();
    this.setUrl(params && params.data);
    return { statusCode: 200 };
  }

  async dispose() {
    if (this.frame) { this.frame.remove(); this.frame = null; }
    return { statusCode: 200 };
  }

  async updateAction(params) {
    return this.setUrl(params && params.data) ? { statusCode: 200 } : { statusCode: 400, statusMessage: "url" };
  }

  async playAction(params) {
    this.style.transition = params && params.skipAnimation ? "none" : "opacity 300ms";
    this.style.opacity = "1";
    return { statusCode: 200, currentStep: 0 };
  }

  async stopAction(params) {
    this.style.transition = params && params.skipAnimation ? "none" : "opacity 300ms";
    this.style.opacity = "0";
    return { statusCode: 200 };
  }

  async customAction() {
    return { statusCode: 404 };
  }

  async goToTime() {
    return { statusCode: 404 }; // real time only
  }

  async setActionsSchedule() {
    return { statusCode: 404 };
  }
}
