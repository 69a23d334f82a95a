-- Shared by the Neovim test scripts: `finish(message)` writes the report file named by
-- KPULINT_REPORT ("ok", or what went wrong) and quits Neovim, with exit code 2 unless "ok".
local report = os.getenv("KPULINT_REPORT")

return function(message)
  local f = io.open(report, "w")
  f:write(message)
  f:close()
  vim.cmd(message == "ok" and "qall!" or "cquit! 2")
end
