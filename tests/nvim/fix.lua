-- Headless Neovim end to end (tests/nvim.rs): open a file of a copied example, start
-- `kpulint lsp` with vim.lsp.start (Neovim 0.8+; vim.lsp.start_client + buf_attach_client on
-- older ones, as Debian 12's 0.7 is), wait for its diagnostics, apply the preferred code
-- action's edit as Neovim applies it and write every changed buffer.
--
-- Arguments come from the environment: KPULINT_BIN, KPULINT_FILE (the file to open),
-- KPULINT_CODE (the rule whose quick fix is applied), KPULINT_REPORT (a file this script
-- writes: "ok", or what went wrong).

local bin = os.getenv("KPULINT_BIN")
local file = os.getenv("KPULINT_FILE")
local code = os.getenv("KPULINT_CODE")
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
local finish = dofile(here .. "report.lua")

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local config = {
    name = "kpulint",
    cmd = { bin, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  if not client_id then
    return finish("the language server did not start")
  end

  local function finding()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == code) then
        return d
      end
    end
  end
  if not vim.wait(60000, function() return finding() ~= nil end, 20) then
    return finish("no " .. code .. " diagnostic within 60 s")
  end
  local d = finding()

  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = d.lnum, character = 0 },
      ["end"] = { line = d.lnum, character = 0 },
    },
    context = { diagnostics = {}, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 60000)
  local preferred
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      if action.isPreferred and action.edit then
        preferred = action
      end
    end
  end
  if not preferred then
    return finish("no preferred code action: " .. vim.inspect(responses))
  end
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
  vim.cmd("silent wall")
  finish("ok")
end)
if not ok then
  finish("error: " .. tostring(err))
end
