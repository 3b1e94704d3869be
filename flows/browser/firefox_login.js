// ainas-bot: log the profile's key database in, with the password this run gave Firefox
(function () {
  const name = "__PASSWORD_VARIABLE__";
  const password = Services.env.get(name);
  Services.env.set(name, "");
  let loggedIn = false;
  try {
    const token = Cc["@mozilla.org/security/internalkeytoken;1"].createInstance(Ci.nsIPKCS11Token);
    const { ctypes } = ChromeUtils.importESModule("resource://gre/modules/ctypes.sys.mjs");
    const file = Services.dirsvc.get("GreD", Ci.nsIFile);
    file.append("libnss3.so");
    const nss = ctypes.open(file.path);
    try {
      const slotOf = nss.declare("PK11_GetInternalKeySlot", ctypes.default_abi, ctypes.voidptr_t);
      const check = nss.declare("PK11_CheckUserPassword", ctypes.default_abi, ctypes.int,
                                ctypes.voidptr_t, ctypes.char.ptr);
      const free = nss.declare("PK11_FreeSlot", ctypes.default_abi, ctypes.void_t, ctypes.voidptr_t);
      const slot = slotOf();
      loggedIn = password !== "" && check(slot, password) === 0;
      free(slot);
    } finally {
      nss.close();
    }
    loggedIn = loggedIn && token.isLoggedIn;
  } catch (e) {
    dump("__TAG__" + e + "\n");
  }
  if (!loggedIn) {
    dump("__TAG____FAILED__\n");
    Services.startup.quit(Ci.nsIAppStartup.eForceQuit);
  }
})();
