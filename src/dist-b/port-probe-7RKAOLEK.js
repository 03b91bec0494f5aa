// dist/local-db/port-probe.js
import net from "node:net";
function probePort(port, timeoutMs = 1e3) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let settled = false;
    const done = (result) => {
      if (settled)
        return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done("other"));
    socket.once("error", (error) => done(error.code === "ECONNREFUSED" ? "free" : "other"));
    socket.once("connect", () => {
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
    });
    socket.once("data", (data) => done(data.length === 1 && (data[0] === 83 || data[0] === 78) ? "postgres" : "other"));
    socket.once("end", () => done("other"));
  });
}
export {
  probePort
};
