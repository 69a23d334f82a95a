-- Runs the README's Neovim set-up (the first Lua block of "### Neovim") as pasted, opens a
-- file and waits for kpulint's diagnostics (tests/nvim.rs). Neovim 0.7 (Debian 12) has neither
-- vim.lsp.start nor vim.fs (both 0.8): there, stand-ins doing what they do are defined first.
--
-- Environment: KPULINT_README, KPULINT_FILE, KPULINT_REPORT (as in fix.lua). `kpulint` must be
-- on PATH, as the set-up expects.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
local finish = dofile(here .. "report.lua")

local ok, err = pcall(function()
  local text = table.concat(vim.fn.readfile(os.getenv("KPULINT_README")), "\n")
  local section = text:match("\n### Neovim\n(.-)\n### ")
  local snippet = section and section:match("```lua\n(.-)```")
  if not snippet then
    return finish("no Lua block under ### Neovim in the README")
  end
  if not vim.lsp.start then
    vim.lsp.start = function(config)
      local id = vim.lsp.start_client(config)
      vim.lsp.buf_attach_client(0, id)
      return id
    end
  end
  if not vim.fs then
    vim.fs = {
      dirname = function(path)
        return vim.fn.fnamemodify(path, ":h")
      end,
      find = function(names, opts)
        local dir = opts.path
        while true do
          for _, name in ipairs(names) do
            local candidate = dir .. "/" .. name
            if vim.loop.fs_stat(candidate) then
              return { candidate }
            end
          end
          local parent = vim.fn.fnamemodify(dir, ":h")
          if parent == dir then
            return {}
          end
          dir = parent
        end
      end,
    }
  end
  assert(loadstring(snippet, "README"))()
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("KPULINT_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()
  local function found()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == "kpulint" then
        return true
      end
    end
    return false
  end
  if not vim.wait(60000, found, 20) then
    return finish("no kpulint diagnostic within 60 s")
  end
  finish("ok")
end)
if not ok then
  finish("error: " .. tostring(err))
end
